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
 */
public final class PacketTrace {
    private int budget;
    private final List<StringBuilder> records = new ArrayList<>();

    /** Trace the next {@code n} packets that enter the graph on this worker. */
    public synchronized void arm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("trace count must be >= 0, got " + n);
        }
        budget = n;
    }

    synchronized boolean armed() {
        return budget > 0;
    }

    synchronized void start(PacketMemory mem, int bi, String input) {
        if (budget <= 0) {
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
