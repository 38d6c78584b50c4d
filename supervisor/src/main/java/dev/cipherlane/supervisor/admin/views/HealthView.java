package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.graph.Worker;
import java.util.List;

/**
 * {@code show health}: "ok" when every worker runs, else "degraded" and which workers are
 * down and what ended them (they are being restarted); with the restarts since the start.
 *
 * @param status   "ok" or "degraded"
 * @param restarts worker restarts since the node started, over all workers
 */
public record HealthView(String status, int workers, int running, int restarts, List<RuntimeView.WorkerRow> down)
        implements OperatorView {

    public static final String OK = "ok";
    public static final String DEGRADED = "degraded";

    public static HealthView of(List<Worker.Health> health) {
        List<RuntimeView.WorkerRow> rows = RuntimeView.workers(health);
        List<RuntimeView.WorkerRow> down = rows.stream().filter(w -> !w.running()).toList();
        int restarts = rows.stream().mapToInt(RuntimeView.WorkerRow::restarts).sum();
        return new HealthView(down.isEmpty() ? OK : DEGRADED, rows.size(), rows.size() - down.size(), restarts, down);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        if (down.isEmpty()) {
            sb.append("ok: ").append(workers).append(" workers running\n");
        } else {
            sb.append("degraded: workers down\n");
            for (RuntimeView.WorkerRow w : down) {
                sb.append(String.format("  worker %d is down, restarting: %s%n", w.worker(), w.failureText()));
            }
        }
        if (restarts != 0) {
            sb.append(String.format("  workers restarted %d times since the start%n", restarts));
        }
        return sb.toString();
    }
}
