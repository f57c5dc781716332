package io.paraflow.cli;

import io.paraflow.cluster.security.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

/** {@code paraflow secret}: a new cluster secret, printed or written to a file only its owner can read. */
@Command(name = "secret",
        mixinStandardHelpOptions = true,
        description = {"Creates a new cluster secret, shared by the driver and every worker of one cluster.",
                "Give it to members with --secret-file FILE or the environment variable "
                        + ClusterSecret.ENVIRONMENT_VARIABLE + ", never as a command-line argument."})
final class SecretCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--file", paramLabel = "FILE",
            description = "Writes the secret to FILE, created readable and writable by its owner only,"
                    + " instead of printing it.")
    private Path file;

    @Option(names = "--force", description = "Replaces FILE if it exists.")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        ClusterSecret secret = ClusterSecret.generate();
        if (file == null) {
            spec.commandLine().getOut().println(secret.encoded());
            return 0;
        }
        if (force) {
            Files.deleteIfExists(file);
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "already exists; members using it would lose the cluster (use --force to replace it)");
        }
        Files.writeString(file, secret.encoded() + System.lineSeparator(), StandardCharsets.US_ASCII,
                StandardOpenOption.TRUNCATE_EXISTING);
        spec.commandLine().getOut().println("wrote a new cluster secret to " + file
                + " (readable by you only); give it to every member with --secret-file " + file);
        return 0;
    }
}
