package dev.cipherlane.ipsec.sa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What an SA has carried (packets and inner bytes, per drop reason what it refused) and the
 * byte and packet limits on that: written by every worker that uses the SA, read by the control
 * plane at any time.
 *
 * <p>Limits. {@link #account} adds a packet, or a frame's packets of this SA at once, with one
 * atomic add per counter; the ranges the adds cover are disjoint, so exactly one worker sees a
 * given limit crossed and reports it. A soft limit raises an event. A hard limit raises one and
 * marks the SA expired: from then on {@link #usable()} is false and the stages drop its packets
 * ("sa hard limit reached"). Stages account once per frame, so the frame that reaches a hard
 * limit still goes through whole; so may the frames other workers had in flight at that moment
 * (at most one each, at most 256 packets).
 *
 * <p>Events are bits, set once per SA and limit and collected by {@link SaTable#pollEvents()};
 * raising one allocates nothing.
 */
public final class SaCounters {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Packets and bytes share a line of their own: 64 bytes of padding on each side. */
    private static final int PACKETS = 8;
    private static final int BYTES = 9;
    private static final VarHandle RAISED;
    private static final VarHandle PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RAISED = lookup.findVarHandle(SaCounters.class, "raised", int.class);
            PENDING = lookup.findVarHandle(SaCounters.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] cells = new long[BYTES + 9];
    private final AtomicLongArray drops = new AtomicLongArray(SaDrop.values().length);
    private final long softBytes;
    private final long hardBytes;
    private final long softPackets;
    private final long hardPackets;
    /** The lowest limit of each kind, so the common case is one comparison each. */
    private final long watchBytes;
    private final long watchPackets;
    /** {@link SaLimit} bits ever reached, and those not yet collected; through RAISED / PENDING. */
    private volatile int raised;
    private volatile int pending;
    private volatile boolean expired;

    SaCounters(SaLimits limits) {
        softBytes = orNever(limits.softBytes());
        hardBytes = orNever(limits.hardBytes());
        softPackets = orNever(limits.softPackets());
        hardPackets = orNever(limits.hardPackets());
        watchBytes = Math.min(softBytes, hardBytes);
        watchPackets = Math.min(softPackets, hardPackets);
    }

    private static long orNever(long limit) {
        return limit == 0 ? Long.MAX_VALUE : limit;
    }

    /** False once a hard limit was reached: the SA must not carry another packet. */
    public boolean usable() {
        return !expired;
    }

    /** Counts one packet of {@code bytes} inner bytes and reports limits it reaches. */
    public void account(long bytes) {
        account(1, bytes);
    }

    /** Counts {@code packets} packets of {@code bytes} inner bytes in all and reports limits they reach. */
    public void account(long packets, long bytes) {
        long packetsBefore = (long) CELLS.getAndAdd(cells, PACKETS, packets);
        long packetsAfter = packetsBefore + packets;
        long before = (long) CELLS.getAndAdd(cells, BYTES, bytes);
        long after = before + bytes;
        if (packetsAfter >= watchPackets || after >= watchBytes) {
            crossed(packetsBefore, packetsAfter, before, after);
        }
    }

    private void crossed(long packetsBefore, long packetsAfter, long before, long after) {
        if (packetsBefore < softPackets && packetsAfter >= softPackets) {
            raise(SaLimit.SOFT_PACKETS);
        }
        if (packetsBefore < hardPackets && packetsAfter >= hardPackets) {
            raise(SaLimit.HARD_PACKETS);
        }
        if (before < softBytes && after >= softBytes) {
            raise(SaLimit.SOFT_BYTES);
        }
        if (before < hardBytes && after >= hardBytes) {
            raise(SaLimit.HARD_BYTES);
        }
    }

    /**
     * Starts from what an earlier run of the same key carried (RFC 4301 section 4.4.2.1: the
     * lifetime is the key's, not the process's): a limit those counts reach is raised again,
     * so an SA past its hard limit stays down after a restart and one past its soft limit
     * warns again. Before the SA carries traffic.
     */
    void resume(long packets, long bytes) {
        CELLS.setVolatile(cells, PACKETS, packets);
        CELLS.setVolatile(cells, BYTES, bytes);
        if (packets >= softPackets) {
            raise(SaLimit.SOFT_PACKETS);
        }
        if (packets >= hardPackets) {
            raise(SaLimit.HARD_PACKETS);
        }
        if (bytes >= softBytes) {
            raise(SaLimit.SOFT_BYTES);
        }
        if (bytes >= hardBytes) {
            raise(SaLimit.HARD_BYTES);
        }
    }

    /** Reports {@code limit} unless it was already; a hard limit also expires the SA. */
    void raise(SaLimit limit) {
        if (limit.hard()) {
            expired = true;
        }
        int bit = limit.bit();
        if (((int) RAISED.getAndBitwiseOr(this, bit) & bit) == 0) {
            PENDING.getAndBitwiseOr(this, bit);
        }
    }

    /** Limits raised since the last call, as {@link SaLimit} bits. */
    int takePending() {
        return (int) PENDING.getAndSet(this, 0);
    }

    /** Whether {@code limit} was ever reached. */
    public boolean reached(SaLimit limit) {
        return (raised & limit.bit()) != 0;
    }

    public void drop(SaDrop reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    public long packets() {
        return (long) CELLS.getVolatile(cells, PACKETS);
    }

    public long bytes() {
        return (long) CELLS.getVolatile(cells, BYTES);
    }

    public long drops(SaDrop reason) {
        return drops.get(reason.ordinal());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(packets()).append(" packets, ").append(bytes()).append(" bytes");
        for (SaDrop d : SaDrop.values()) {
            long n = drops(d);
            if (n != 0) {
                b.append(", ").append(n).append(' ').append(d.reason());
            }
        }
        return expired ? b.append(", expired").toString() : b.toString();
    }
}
