package dev.cipherlane.cli.pods;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the node's {@code show runtime} and {@code show errors} tables back into numbers,
 * so tests can say which stages packets went through and which counters moved.
 */
final class NodeReports {
    private NodeReports() {}

    /** A {@code show runtime} row: the stage's calls, vectors and packets, summed over workers. */
    record StageRow(long calls, long vectors, long packets) {}

    /** Stage name to its row, for every stage that was called at all. */
    static Map<String, StageRow> runtime(String showRuntime) {
        Map<String, StageRow> rows = new LinkedHashMap<>();
        showRuntime.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+");
            if (f.length >= 4) {
                rows.put(f[0], new StageRow(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        });
        return rows;
    }

    /** Packets through {@code stage}, 0 if it was never called. */
    static long packets(String showRuntime, String stage) {
        StageRow r = runtime(showRuntime).get(stage);
        return r == null ? 0 : r.packets();
    }

    /** "stage: reason" to its count, for every non-zero counter of {@code show errors}. */
    static Map<String, Long> errors(String showErrors) {
        Map<String, Long> counts = new LinkedHashMap<>();
        showErrors.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+", 3);
            if (f.length == 3) {
                counts.put(f[1] + ": " + f[2], Long.parseLong(f[0]));
            }
        });
        return counts;
    }

    /** The count of one {@code show errors} counter, 0 when the table does not list it. */
    static long error(String showErrors, String stage, String reason) {
        return errors(showErrors).getOrDefault(stage + ": " + reason, 0L);
    }

    /** Name of a pod's tap input stage for one queue, as io-tap's TapInput names it. */
    static String tapInput(PodTestbed.Pod pod, int queue) {
        return "tap-input-" + pod.name() + "-q" + queue;
    }
}
