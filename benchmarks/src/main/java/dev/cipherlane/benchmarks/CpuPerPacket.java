package dev.cipherlane.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * CPU time per packet over a benchmark's measured iterations, read from the CPU clocks of the
 * threads doing the work (the benchmark thread, and crypto threads where there are some).
 * On a shared machine JMH's wall-clock score drops whenever another process takes the core;
 * CPU time per packet is far less affected, so ratios between benchmarks are steadier in it.
 * Warm-up iterations are left out.
 */
final class CpuPerPacket {
    private final ThreadMXBean clocks = ManagementFactory.getThreadMXBean();
    private final String[] names;
    private final long[] ids;
    private final long[] atStart;
    private final long[] spent;
    private long packetsAtStart;
    private long packets;
    private boolean measuring;

    /** Counts {@code threads}: the first is usually the benchmark thread itself. */
    CpuPerPacket(Thread... threads) {
        names = new String[threads.length];
        ids = new long[threads.length];
        for (int i = 0; i < threads.length; i++) {
            names[i] = threads[i] == Thread.currentThread() ? "benchmark thread" : threads[i].getName();
            ids[i] = threads[i].threadId();
        }
        atStart = new long[threads.length];
        spent = new long[threads.length];
    }

    /** At the start of every iteration, with the packets done so far. */
    void iterationStart(IterationParams iteration, long packetsNow) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        packetsAtStart = packetsNow;
        for (int i = 0; i < ids.length; i++) {
            atStart[i] = clocks.getThreadCpuTime(ids[i]);
        }
    }

    /** At the end of every iteration, with the packets done so far. */
    void iterationEnd(long packetsNow) {
        if (!measuring) {
            return;
        }
        packets += packetsNow - packetsAtStart;
        for (int i = 0; i < ids.length; i++) {
            spent[i] += clocks.getThreadCpuTime(ids[i]) - atStart[i];
        }
        measuring = false;
    }

    /** One line: CPU nanoseconds per packet in all, then per thread. */
    String report(String what) {
        long total = 0;
        for (long s : spent) {
            total += s;
        }
        StringBuilder line = new StringBuilder(String.format("%s: %.0f cpu ns/packet over %d measured packets",
                what, perPacket(total), packets));
        if (ids.length > 1) {
            for (int i = 0; i < ids.length; i++) {
                line.append(String.format("; %s %.0f", names[i], perPacket(spent[i])));
            }
        }
        return line.append(System.lineSeparator()).toString();
    }

    private double perPacket(long nanos) {
        return packets == 0 ? Double.NaN : (double) nanos / packets;
    }
}
