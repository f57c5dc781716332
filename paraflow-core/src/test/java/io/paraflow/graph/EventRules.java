package io.paraflow.graph;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskEvent.Kind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The life-cycle rules every task's events must follow, whatever raced with what: SUBMITTED first and
 * once; READY at most once, before any attempt; attempts numbered from 1, each STARTED ended by RETRIED
 * or by the end; exactly one terminal event (FINISHED, FAILED or CANCELLED), and nothing after it.
 */
final class EventRules {

    private EventRules() {
    }

    /**
     * Checks events in the order a listener received them (events of one task arrive in the order of its
     * life, so the arrival order per task is its life order).
     *
     * @return one line per task that broke a rule
     */
    static List<String> check(Iterable<TaskEvent> received) {
        Map<Long, List<TaskEvent>> byTask = new LinkedHashMap<>();
        for (TaskEvent e : received) {
            byTask.computeIfAbsent(e.taskId(), id -> new ArrayList<>()).add(e);
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Long, List<TaskEvent>> task : byTask.entrySet()) {
            String broken = broken(task.getValue());
            if (broken != null) {
                problems.add("task #" + task.getKey() + " '" + task.getValue().get(0).taskName() + "' events "
                        + task.getValue().stream().map(e -> e.kind() + (e.attempt() > 0 ? "(" + e.attempt() + ")" : ""))
                        .collect(Collectors.toList()) + ": " + broken);
            }
        }
        return problems;
    }

    private static boolean terminal(Kind k) {
        return k == Kind.FINISHED || k == Kind.FAILED || k == Kind.CANCELLED;
    }

    /** The first rule {@code events} break, or null. */
    private static String broken(List<TaskEvent> events) {
        if (events.get(0).kind() != Kind.SUBMITTED) {
            return "SUBMITTED must come first";
        }
        boolean ready = false;
        int attempt = 0;
        boolean attemptOpen = false;
        for (int i = 1; i < events.size(); i++) {
            TaskEvent e = events.get(i);
            Kind k = e.kind();
            if (terminal(k)) {
                if (i != events.size() - 1) {
                    return k + " must be the last event";
                }
                if (k == Kind.FINISHED && !attemptOpen) {
                    return "FINISHED without a running attempt";
                }
                return null;
            }
            switch (k) {
                case SUBMITTED -> {
                    return "SUBMITTED twice";
                }
                case READY -> {
                    if (ready || attempt > 0) {
                        return "READY twice or after an attempt started";
                    }
                    ready = true;
                }
                case STARTED -> {
                    if (!ready || attemptOpen || e.attempt() != attempt + 1) {
                        return "STARTED(" + e.attempt() + ") out of order";
                    }
                    attempt++;
                    attemptOpen = true;
                }
                case RETRIED -> {
                    if (!attemptOpen || e.attempt() != attempt) {
                        return "RETRIED(" + e.attempt() + ") without its attempt running";
                    }
                    attemptOpen = false;
                }
                default -> {
                    return "unknown kind " + k;
                }
            }
        }
        return "no terminal event";
    }
}
