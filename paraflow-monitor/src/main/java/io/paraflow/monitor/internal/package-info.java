/** Helpers shared by the monitor's packages. Not API: may change in any release. */
package io.paraflow.monitor.internal;
