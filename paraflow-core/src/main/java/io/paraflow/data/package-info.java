/**
 * Files as data of a task graph. A {@link io.paraflow.data.FileRef} names a file; a task whose result is a
 * {@code FileRef} (a {@code Task<FileRef>}) is the dependency on that file: a task or a command that takes
 * it runs after the producer finished and receives the reference. Producers state their outputs (a command's
 * declared outputs, or {@link io.paraflow.data.FileRef#output} in a Java task), so a file that is missing when
 * its producer ends fails the producer with {@link io.paraflow.data.MissingOutputException}, and a command
 * whose input file is missing fails with {@link io.paraflow.data.MissingInputException} before its program starts.
 */
package io.paraflow.data;
