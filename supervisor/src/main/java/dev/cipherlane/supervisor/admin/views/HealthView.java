package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.graph.Worker;
import java.util.List;

/**
 * {@code show health}: "ok" when every worker runs and every tunnel can carry traffic, else
 * "degraded" and what is wrong: which workers are down and what ended them (they are being
 * restarted), which tunnels drop their traffic and why; with the restarts since the start, and
 * what is waiting on what (a tunnel on its next hop's ARP answer).
 *
 * @param status   "ok" or "degraded"
 * @param restarts worker restarts since the node started, over all workers
 * @param failing  what drops traffic until an operator acts, one line each (degrades)
 * @param waiting  what waits on something to come, one line each (does not degrade)
 */
public record HealthView(String status, int workers, int running, int restarts, List<RuntimeView.WorkerRow> down,
        List<String> failing, List<String> waiting) implements OperatorView {

    public static final String OK = "ok";
    public static final String DEGRADED = "degraded";

    public HealthView {
        down = List.copyOf(down);
        failing = List.copyOf(failing);
        waiting = List.copyOf(waiting);
    }

    public static HealthView of(List<Worker.Health> health) {
        return of(health, List.of(), List.of());
    }

    public static HealthView of(List<Worker.Health> health, List<String> failing, List<String> waiting) {
        List<RuntimeView.WorkerRow> rows = RuntimeView.workers(health);
        List<RuntimeView.WorkerRow> down = rows.stream().filter(w -> !w.running()).toList();
        int restarts = rows.stream().mapToInt(RuntimeView.WorkerRow::restarts).sum();
        return new HealthView(down.isEmpty() && failing.isEmpty() ? OK : DEGRADED, rows.size(),
                rows.size() - down.size(), restarts, down, failing, waiting);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        if (down.isEmpty() && failing.isEmpty()) {
            sb.append("ok: ").append(workers).append(" workers running\n");
        } else {
            sb.append("degraded: ").append(down.isEmpty() ? "traffic dropped" : "workers down").append("\n");
            for (RuntimeView.WorkerRow w : down) {
                sb.append(String.format("  worker %d is down, restarting: %s%n", w.worker(), w.failureText()));
            }
            for (String f : failing) {
                sb.append("  ").append(f).append("\n");
            }
        }
        for (String w : waiting) {
            sb.append("  waiting: ").append(w).append("\n");
        }
        if (restarts != 0) {
            sb.append(String.format("  workers restarted %d times since the start%n", restarts));
        }
        return sb.toString();
    }
}
