package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.graph.Worker;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The workers' state in {@code show runtime} and the node's health in {@code show health}. */
final class WorkerReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    private WorkerReport() {}

    static String format(List<Worker.Health> workers) {
        StringBuilder sb = new StringBuilder(String.format("%-8s %-8s %9s  %s%n", "Worker", "State", "Restarts",
                "Last failure"));
        for (Worker.Health h : workers) {
            sb.append(String.format("%-8d %-8s %9d  %s%n", h.worker(), h.running() ? "running" : "down",
                    h.restarts(), failure(h)));
        }
        return sb.toString();
    }

    /** "ok" when every worker runs; otherwise which are down and what ended them. */
    static String health(List<Worker.Health> workers) {
        StringBuilder down = new StringBuilder();
        int restarts = 0;
        for (Worker.Health h : workers) {
            restarts += h.restarts();
            if (!h.running()) {
                down.append(String.format("  worker %d is down, restarting: %s%n", h.worker(), failure(h)));
            }
        }
        String restarted = restarts == 0 ? "" : String.format("  workers restarted %d times since the start%n", restarts);
        if (down.isEmpty()) {
            return "ok: " + workers.size() + " workers running\n" + restarted;
        }
        return "degraded: workers down\n" + down + restarted;
    }

    private static String failure(Worker.Health h) {
        return h.lastFailure() == null ? "-" : TIME.format(h.failedAt()) + " " + h.lastFailure();
    }
}
