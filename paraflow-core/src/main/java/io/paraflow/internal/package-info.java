/** Not API. Small helpers that several packages and modules of Paraflow share. */
package io.paraflow.internal;
