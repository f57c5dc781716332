/**
 * External programs as tasks. {@link io.paraflow.Flow#command(String)} gives a
 * {@link io.paraflow.command.CommandBuilder}; the command becomes an ordinary task of the graph (so retries,
 * timeouts, cancellation, groups and events apply) that a {@link io.paraflow.command.CommandExecutor} runs:
 * one thread per running program, in a directory of its own, with stdout and stderr in files named after the
 * task. Its result is a {@link io.paraflow.command.CommandResult} (output files, exit code); a non-zero exit
 * fails it with {@link io.paraflow.command.CommandFailedException}. Files between tasks:
 * {@link io.paraflow.data}.
 */
package io.paraflow.command;
