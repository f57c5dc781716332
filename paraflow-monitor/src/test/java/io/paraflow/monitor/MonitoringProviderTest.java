package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.event.ListenerProvider;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The monitoring that system properties give every flow (what {@code paraflow run} sets). */
@ExtendWith(NoLeakedThreads.class)
class MonitoringProviderTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        for (String property : List.of(ListenerProvider.PROPERTY, MonitoringProvider.PROGRESS, MonitoringProvider.DATABASE,
                MonitoringProvider.DASHBOARD, MonitoringProvider.DASHBOARD_BIND)) {
            System.clearProperty(property);
        }
    }

    @Test
    void everyFlowIsRecordedInItsOwnDatabaseNumberedAfterTheFirst() throws Exception {
        Path db = dir.resolve("run.db");
        System.setProperty(ListenerProvider.PROPERTY, MonitoringProvider.NAME);
        System.setProperty(MonitoringProvider.DATABASE, db.toString());
        List<Path> files = new ArrayList<>();
        for (String name : List.of("first", "second")) {
            try (Flow flow = Flow.builder().threads(1).build()) {
                flow.task(name).submit(() -> 1).get();
            }
        }
        try (Stream<Path> listing = Files.list(dir)) {
            listing.filter(f -> f.toString().endsWith(".db")).sorted().forEach(files::add);
        }
        assertThat(files).hasSize(2);
        // the provider numbers flows per program (JVM): other tests of this JVM may have come first
        assertThat(files).allSatisfy(f -> assertThat(f.getFileName().toString()).matches("run(-\\d+)?\\.db"));
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            try (Connection c = open(file)) {
                names.add((String) rows(c, "SELECT name FROM tasks").get(0).get(0));
            }
        }
        assertThat(names).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void theNthFlowsFileHasItsNumberBeforeTheExtension() {
        assertThat(MonitoringProvider.numbered(Path.of("runs/sweep.db"), 1)).isEqualTo(Path.of("runs/sweep.db"));
        assertThat(MonitoringProvider.numbered(Path.of("runs/sweep.db"), 3)).isEqualTo(Path.of("runs/sweep-3.db"));
        assertThat(MonitoringProvider.numbered(Path.of("sweep"), 2)).isEqualTo(Path.of("sweep-2"));
        assertThat(MonitoringProvider.numbered(Path.of(".db"), 2)).isEqualTo(Path.of(".db-2"));
    }

    @Test
    void theProgressAndDashboardPropertiesAreRead() {
        System.setProperty(MonitoringProvider.PROGRESS, "true");
        System.setProperty(MonitoringProvider.DASHBOARD, "0");
        System.setProperty(MonitoringProvider.DASHBOARD_BIND, "127.0.0.2");
        assertThat(new MonitoringProvider().create()).hasToString("Monitoring[ progress dashboard=127.0.0.2:0]");
    }

    @Test
    void aMalformedPortOrNothingToMonitorIsRefusedNamingWhatToChange() {
        System.setProperty(MonitoringProvider.DASHBOARD, "eighty");
        assertThatThrownBy(() -> new MonitoringProvider().create()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("system property " + MonitoringProvider.DASHBOARD + " must be a port number, got 'eighty'");
        System.clearProperty(MonitoringProvider.DASHBOARD);
        assertThatThrownBy(() -> new MonitoringProvider().create()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would record nothing");
    }
}
