package dev.cipherlane.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * CPU time spent while a run moves data, from /proc (proc(5)): the whole machine's busy time
 * (every process and the kernel's own work: softirqs, the pods' stacks) and, within it, the
 * dataplane processes' (the node JVMs, or wireguard-go), so that throughput on two shared
 * cores is read beside what it cost. Ticks are USER_HZ, 100 a second on Linux.
 */
final class CpuMeter {
    static final double TICKS_PER_SECOND = 100;
    /** Process names of what forwards the pods' traffic on each path. */
    private static final Set<String> DATAPLANE = Set.of("java", "wireguard-go");

    /** Busy ticks of the machine and of the dataplane processes at one moment. */
    record Sample(long machine, long dataplane) {
        /** What was spent from {@code before} to this sample, in CPU seconds. */
        Spent since(Sample before) {
            return new Spent((machine - before.machine) / TICKS_PER_SECOND,
                    (dataplane - before.dataplane) / TICKS_PER_SECOND);
        }
    }

    /** CPU seconds spent: in all, and by the dataplane processes. */
    record Spent(double machine, double dataplane) {
        /** Seconds per gigabyte (10^9 bytes) of {@code bytes} moved. */
        Spent perGigabyte(long bytes) {
            double gb = bytes / 1e9;
            return gb <= 0 ? new Spent(Double.NaN, Double.NaN) : new Spent(machine / gb, dataplane / gb);
        }
    }

    private CpuMeter() {}

    static Sample sample() throws IOException {
        return new Sample(machineBusy(Files.readAllLines(Path.of("/proc/stat")).getFirst()), dataplaneTicks());
    }

    /**
     * The busy ticks of the first line of /proc/stat ({@code cpu user nice system idle iowait
     * irq softirq steal ...}): everything but idle and iowait. Guest time is already counted
     * in user, so it is not added again.
     */
    static long machineBusy(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
        }
        long busy = 0;
        for (int i = 1; i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    /** utime + stime of a /proc/PID/stat line (fields 14 and 15; the name in parentheses may hold spaces). */
    static long processTicks(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3].
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    private static long dataplaneTicks() {
        List<ProcessHandle> procs = ProcessHandle.current().descendants().toList();
        long ticks = 0;
        for (ProcessHandle p : procs) {
            Path dir = Path.of("/proc", Long.toString(p.pid()));
            try {
                if (DATAPLANE.contains(Files.readString(dir.resolve("comm")).strip())) {
                    ticks += processTicks(Files.readString(dir.resolve("stat")));
                }
            } catch (IOException gone) {
                // The process ended between listing and reading: what it spent is lost to this sample.
            }
        }
        return ticks;
    }
}
