package io.paraflow.monitor;

import io.paraflow.monitor.store.RunDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.util.OSInfo;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A database that stops growing mid-run (a full disk; here a limit of the size of the files the program may
 * write) costs no task, keeps what it held, and makes the live dashboard and {@code Flow.close()} say so.
 */
class MonitoringDiskFullTest {

    private static final Path BASH = Path.of("/bin/bash");
    /** The file size limit, in KiB: the run's first rows take about 120, those of the later tasks several MiB. */
    private static final int FILE_SIZE_LIMIT_KIB = 1024;

    @TempDir
    Path dir;

    @Test
    void aDatabaseThatCannotGrowMidRunLosesNoTaskKeepsItsEarlierRowsAndFailsCloseNamingTheFile() throws Exception {
        assumeTrue(Files.isExecutable(BASH), "needs " + BASH + " to limit the size of files with ulimit -f");
        Path db = dir.resolve("full.db");
        Path log = dir.resolve("program.log");
        List<String> command = new ArrayList<>(List.of(BASH.toString(), "-c", "ulimit -f " + FILE_SIZE_LIMIT_KIB
                + " && exec \"$@\"", "bash"));
        // SQLite's native library, larger than the limit, would otherwise be copied to a temporary file first
        Path library = sqliteNativeLibrary();
        command.addAll(ChildJvm.command(List.of("-Dorg.sqlite.lib.path=" + library.getParent(),
                "-Dorg.sqlite.lib.name=" + library.getFileName()), DiskFullRunMain.class, db.toString()));
        Process program = ChildJvm.start(command, log);
        try {
            assertThat(program.waitFor(60, TimeUnit.SECONDS)).as("the program ended").isTrue();
        } finally {
            program.destroyForcibly();
        }
        String output = Files.readString(log);
        int all = DiskFullRunMain.BEFORE + DiskFullRunMain.AFTER;
        assertThat(program.exitValue()).as(output).isZero();
        assertThat(output).as("every task ran").contains("right results: " + all + " of " + all)
                .as("the progress line counts every task").contains(String.format("tasks %,d/%,d done", all, all))
                .as("no thread is left").contains("paraflow threads left: []")
                .as("the dashboard says why it shows no more").contains("the dashboard says: org.sqlite.SQLiteException:"
                        + " [SQLITE_IOERR_WRITE]")
                .as("close names the file and what failed").contains("close threw: the monitoring database " + db
                        + " is incomplete: writing it failed (org.sqlite.SQLiteException: [SQLITE_IOERR_WRITE]")
                .contains("disk I/O error")
                .contains("; the rows written before are kept, the run's end is not; the tasks were not affected");
        try (RunDatabase run = RunDatabase.open(db)) {
            Connection c = run.connection();
            assertThat(rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
            assertThat(rows(c, "SELECT ended_ns, outcome FROM run")).as("the run's end was not written")
                    .containsExactly(Arrays.asList(null, null));
            assertThat(rows(c, "SELECT count(*) FROM tasks t JOIN tries r USING (task_id) WHERE t.name = 'before'"
                    + " AND t.state = 'finished' AND r.outcome = 'finished'")).containsExactly(List.of(DiskFullRunMain.BEFORE));
            assertThat((Integer) rows(c, "SELECT count(*) FROM tasks WHERE name = 'after'").get(0).get(0))
                    .as("the later tasks outgrew the limit").isLessThan(DiskFullRunMain.AFTER);
        }
    }

    /** SQLite's native library for this machine, copied from its jar into this test's directory. */
    private Path sqliteNativeLibrary() throws Exception {
        Path library = dir.resolve("sqlite-native").resolve(System.mapLibraryName("sqlitejdbc"));
        String resource = "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + library.getFileName();
        try (InputStream in = OSInfo.class.getResourceAsStream(resource)) {
            assertThat(in).as("%s in the sqlite-jdbc jar", resource).isNotNull();
            Files.createDirectories(library.getParent());
            Files.copy(in, library);
        }
        return library;
    }
}
