package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows up to N packets through every stage they pass, like VPP's {@code trace add}:
 * an input stage marks the next N packets it produces, and every stage, arc and drop they
 * meet is written down. Only traced packets cost anything beyond one boolean test per
 * packet; synchronized because the admin thread reads what the worker writes.
 *
 * <p>Bounded: it holds at most {@link #limit} packets' records (dataplane.trace.max-packets);
 * arming asks for no more than the room left, and {@link #clear} makes room again.
 */
public final class PacketTrace {
    /** The most a trace may ever hold, whatever the setting: records cost memory per packet. */
    public static final int MAX_PACKETS = 10_000;

    private int budget;
    private int limit = MAX_PACKETS;
    private final List<StringBuilder> records = new ArrayList<>();

    /**
     * Trace the next {@code n} packets that enter the graph on this worker, as far as the
     * room left allows; returns how many will be traced.
     */
    public synchronized int arm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("trace count must be >= 0, got " + n);
        }
        budget = Math.min(n, limit - records.size());
        return budget;
    }

    /** Caps the records held at {@code max} packets (0 switches tracing off); drops what is beyond. */
    public synchronized void limit(int max) {
        if (max < 0 || max > MAX_PACKETS) {
            throw new IllegalArgumentException("trace limit must be in 0.." + MAX_PACKETS + ", got " + max);
        }
        limit = max;
        if (records.size() > max) {
            records.subList(max, records.size()).clear();
        }
        budget = Math.min(budget, max - records.size());
    }

    public synchronized int limit() {
        return limit;
    }

    synchronized boolean armed() {
        return budget > 0;
    }

    synchronized void start(PacketMemory mem, int bi, String input) {
        if (budget <= 0 || records.size() >= limit) {
            return;
        }
        budget--;
        int id = records.size();
        records.add(new StringBuilder("Packet ").append(id + 1).append('\n'));
        mem.trace(bi, id);
        mem.setFlag(bi, PacketFlags.TRACED);
        add(mem, bi, input + ": " + mem.length(bi) + " bytes");
    }

    synchronized void add(PacketMemory mem, int bi, String line) {
        int id = mem.trace(bi);
        if (id >= 0 && id < records.size()) {
            records.get(id).append(line).append('\n');
        }
    }

    /** Whether any packet is or may become traced. */
    synchronized boolean active() {
        return budget > 0 || !records.isEmpty();
    }

    /**
     * The records so far, one per packet: "Packet n" and a line per stage, each line ending in
     * a newline ({@code show trace --json} lists them as they are).
     */
    public synchronized List<String> records() {
        List<String> out = new ArrayList<>(records.size());
        for (StringBuilder r : records) {
            out.add(r.toString());
        }
        return out;
    }

    /** The records so far, one block per packet. */
    public synchronized String format() {
        StringBuilder sb = new StringBuilder();
        for (StringBuilder r : records) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    public synchronized int packets() {
        return records.size();
    }

    public synchronized void clear() {
        records.clear();
        budget = 0;
    }
}
