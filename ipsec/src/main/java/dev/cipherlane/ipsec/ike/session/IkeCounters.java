package dev.cipherlane.ipsec.ike.session;

import java.util.EnumMap;
import java.util.Map;

/** Counts of {@link IkeCounter} events of one session; read by {@code show ike}. */
public final class IkeCounters {
    private final long[] counts = new long[IkeCounter.values().length];

    void add(IkeCounter c) {
        counts[c.ordinal()]++;
    }

    public long get(IkeCounter c) {
        return counts[c.ordinal()];
    }

    /** The non-zero counters, in declaration order. */
    public Map<IkeCounter, Long> snapshot() {
        Map<IkeCounter, Long> out = new EnumMap<>(IkeCounter.class);
        for (IkeCounter c : IkeCounter.values()) {
            if (counts[c.ordinal()] != 0) {
                out.put(c, counts[c.ordinal()]);
            }
        }
        return out;
    }

    /** One line per non-zero counter, for an operator. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        snapshot().forEach((c, n) -> b.append(String.format("%12d  %-22s %s%n", n, c.name().toLowerCase(),
                c.description())));
        return b.toString();
    }
}
