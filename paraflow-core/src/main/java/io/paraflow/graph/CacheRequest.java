package io.paraflow.graph;

/**
 * A task's request to be memoized: its results are reused for equal name, version and arguments.
 *
 * @param version  the version label ("" when none): changing it invalidates earlier results
 * @param failures whether a failure is reused too (its function is not run again)
 * @param identity null, or a fingerprintable value that stands for what the function captures
 */
record CacheRequest(String version, boolean failures, Object identity) {
}
