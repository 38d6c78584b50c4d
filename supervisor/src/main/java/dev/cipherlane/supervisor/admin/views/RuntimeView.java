package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.graph.Worker;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code show runtime}: the workers with their restarts and last failure, then each stage that
 * was called, with calls, vectors, packets and CPU time summed over workers (VPP's
 * {@code show runtime}).
 */
public record RuntimeView(List<WorkerRow> workers, List<StageRow> stages) implements OperatorView {

    /**
     * @param lastFailure what ended the worker's thread last, null if it never failed
     * @param failedAt    when, as ISO-8601 UTC, null if it never failed
     */
    public record WorkerRow(int worker, boolean running, int restarts, String lastFailure, String failedAt) {
        /** The failure as both tables print it: "-" or time and cause. */
        String failureText() {
            return lastFailure == null ? "-" : failedAt + " " + lastFailure;
        }
    }

    /** @param nanos CPU time spent in the stage, summed over workers */
    public record StageRow(String name, long calls, long vectors, long packets, long nanos) {}

    static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    public static RuntimeView of(List<Worker.Health> health, StageTotals totals) {
        List<StageRow> stages = new ArrayList<>();
        for (StageTotals.Stage s : totals.stages()) {
            // A stage never called has nothing to say; /metrics still exports it.
            if (s.calls() != 0) {
                stages.add(new StageRow(s.name(), s.calls(), s.vectors(), s.packets(), s.nanos()));
            }
        }
        return new RuntimeView(workers(health), List.copyOf(stages));
    }

    static List<WorkerRow> workers(List<Worker.Health> health) {
        List<WorkerRow> rows = new ArrayList<>();
        for (Worker.Health h : health) {
            rows.add(new WorkerRow(h.worker(), h.running(), h.restarts(), h.lastFailure(),
                    h.lastFailure() == null ? null : TIME.format(h.failedAt())));
        }
        return List.copyOf(rows);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(String.format("%-8s %-8s %9s  %s%n", "Worker", "State", "Restarts",
                "Last failure"));
        for (WorkerRow w : workers) {
            sb.append(String.format("%-8d %-8s %9d  %s%n", w.worker(), w.running() ? "running" : "down",
                    w.restarts(), w.failureText()));
        }
        sb.append('\n').append(String.format("%-24s %12s %12s %14s %10s %10s%n",
                "Stage", "Calls", "Vectors", "Packets", "Pkts/Vec", "ns/Pkt"));
        for (StageRow s : stages) {
            sb.append(String.format("%-24s %12d %12d %14d %10.1f %10.1f%n", s.name(), s.calls(), s.vectors(),
                    s.packets(), s.vectors() == 0 ? 0.0 : (double) s.packets() / s.vectors(),
                    s.packets() == 0 || s.vectors() == 0 ? 0.0 : (double) s.nanos() / s.packets()));
        }
        return sb.toString();
    }
}
