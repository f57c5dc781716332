/**
 * Not API. Content fingerprints of argument values, and the append-only checkpoint log: one file per
 * store directory, records with a length and a CRC32C, a torn tail cut off on open, one run at a time.
 */
package io.paraflow.cache.internal;
