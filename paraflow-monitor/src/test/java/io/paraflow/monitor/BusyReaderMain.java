package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.monitor.store.RunDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A program that a test stops with SIGTERM while a reader of its flow's database is in the middle of a query:
 * {@link #TASKS} tasks finish, the reader reads the first row of a query and keeps it open, then it writes
 * {@code args[1]} and waits to be stopped. Arguments: the database, the file that says it is ready.
 */
public final class BusyReaderMain {

    static final int TASKS = 20;

    private BusyReaderMain() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Flow flow = Flow.builder().threads(2).listener(Monitoring.database(db)).build();
        for (int i = 0; i < TASKS; i++) {
            int input = i;
            flow.task("quick").submit(() -> input);
        }
        flow.awaitAll();
        RunDatabase reader = RunDatabase.open(db);
        Statement statement = reader.connection().createStatement();
        ResultSet inTheMiddle = statement.executeQuery("SELECT * FROM sqlite_master");
        if (!inTheMiddle.next()) {
            throw new IllegalStateException(db + " has no tables");
        }
        Files.writeString(Path.of(args[1]), "ready");
        Thread.sleep(600_000);
    }
}
