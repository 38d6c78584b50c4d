package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import java.lang.foreign.MemorySegment;

/**
 * What {@code icmp4-error} and {@code icmp6-error} share: parameters, arc and errors, the
 * per-worker rate limit, the loop that sends each packet on as its error or drops it, and the
 * in-place layout of an error (headers in the headroom, quote left where it is). Each family
 * decides what to suppress and writes its own headers ({@link #build}).
 */
abstract sealed class IcmpError extends Stage<IcmpError.Params> permits Icmp4Error, Icmp6Error {
    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { LOOKUP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        SUPPRESSED("icmp error suppressed"),
        RATE_LIMITED("icmp rate limited"),
        NO_SOURCE_ADDRESS("icmp no source address"),
        BAD_REQUEST("icmp error type not supported"),
        MALFORMED("icmp invoking packet malformed");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final int DEFAULT_ERRORS_PER_SECOND = 1000;
    public static final int DEFAULT_BURST = 50;

    /** Bytes of the ICMP header: type, code, checksum and the 4-byte MTU/pointer field. */
    static final int ICMP_HEADER = 8;

    /**
     * Settings are named after the stage ({@code icmp4-error.burst}), so both families take
     * the same record and each keeps its own values.
     *
     * @param interfaces      where the source address of an error comes from
     * @param errorsPerSecond sustained errors per worker, 1..1,000,000
     * @param burst           errors a worker may send back to back, 1..10,000
     */
    public record Params(InterfaceTable interfaces, int errorsPerSecond, int burst) {
        public Params(InterfaceTable interfaces) {
            this(interfaces, DEFAULT_ERRORS_PER_SECOND, DEFAULT_BURST);
        }
    }

    /** Per-worker token buckets; a successor takes them over so a swap does not refill them. */
    private volatile IcmpRateLimit rateLimit = new IcmpRateLimit();

    IcmpError(StageSpec spec, Params params) {
        super(spec, params);
    }

    @Override
    public void takeOver(Stage<?> predecessor) {
        if (predecessor instanceof IcmpError p) {
            rateLimit = p.rateLimit;
        }
    }

    /** The spec of an ICMP error stage: one arc to the family's lookup, the same errors. */
    static StageSpec spec(String name) {
        return StageSpec.of(name, Arcs.class, Errors.class);
    }

    @Override
    protected final Params validate(Params p) {
        String name = name();
        if (p == null || p.interfaces() == null) {
            throw new IllegalArgumentException(name + ": an interface table is required");
        }
        if (p.errorsPerSecond() < 1 || p.errorsPerSecond() > 1_000_000) {
            throw new IllegalArgumentException(name + ".errors-per-second must be in 1..1000000, got "
                    + p.errorsPerSecond());
        }
        if (p.burst() < 1 || p.burst() > 10_000) {
            throw new IllegalArgumentException(name + ".burst must be in 1..10000, got " + p.burst());
        }
        return p;
    }

    @Override
    public final void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int error = build(p, ctx, mem, data, bi);
            if (error >= 0) {
                ctx.drop(bi, error);
            } else {
                ctx.enqueue(Arcs.LOOKUP, bi);
            }
        }
    }

    /** Rewrites {@code bi} into its ICMP error; returns the drop reason, or -1 when built. */
    abstract int build(Params p, StageContext ctx, PacketMemory mem, MemorySegment data, int bi);

    /** Whether this worker may send one more error now (the token bucket of {@link IcmpRateLimit}). */
    final boolean tryAcquire(Params p, StageContext ctx) {
        return rateLimit.tryAcquire(ctx.worker(), ctx.now(), p.errorsPerSecond(), p.burst());
    }

    /**
     * Puts {@code headers} bytes in front of the first {@code quote} bytes of {@code bi}, which
     * start at {@code ip}, and makes the packet exactly those; returns the address of the new
     * first byte. Headroom is at least {@link PacketMemory#HEADROOM} unless an earlier stage
     * used it; with less than {@code headers} left the quote slides right (an error of at
     * most 1280 bytes fits any buffer).
     */
    static long prepend(PacketMemory mem, MemorySegment data, int bi, long ip, int quote, int headers) {
        int offset = Math.max(mem.dataOffset(bi) - headers, 0);
        long h = mem.base(bi) + offset;
        if (h + headers != ip) {
            MemorySegment.copy(data, ip, data, h + headers, quote);
        }
        mem.dataOffset(bi, offset);
        mem.length(bi, headers + quote);
        return h;
    }

    /** Type, code, a zero checksum and the 32-bit field after it, at {@code icmp}. */
    static void writeIcmpHeader(MemorySegment data, long icmp, int type, int code, int field) {
        data.set(Net.U8, icmp, (byte) type);
        data.set(Net.U8, icmp + 1, (byte) code);
        data.set(Net.U16, icmp + 2, (short) 0);
        data.set(Net.U32, icmp + 4, field);
    }

    /**
     * Metadata of the finished error, a packet of our own starting at its IP header of
     * {@code ipHeader} bytes: no GSO, no request left in the opaque word. Flagged ORIGINATED and
     * no longer DECAPSULATED: the lookup's ingress checks judge what others send us, and the
     * error's source is one of ours.
     */
    static void resetMetadata(PacketMemory mem, int bi, int ipHeader, int flags, int flowHash) {
        int l3 = mem.dataOffset(bi);
        mem.l3Offset(bi, l3);
        mem.l4Offset(bi, l3 + ipHeader);
        mem.flags(bi, (flags & ~PacketFlags.DECAPSULATED) | PacketFlags.ORIGINATED);
        mem.gsoSize(bi, 0);
        mem.gsoType(bi, 0);
        mem.opaque(bi, 0);
        mem.flowHash(bi, flowHash);
    }

    @Override
    public final String formatTrace(PacketMemory mem, int bi) {
        int request = mem.opaque(bi);
        return "type " + IcmpErrorRequest.type(request) + " code " + IcmpErrorRequest.code(request)
                + " parameter " + IcmpErrorRequest.parameter(request) + about(mem, bi);
    }

    /** {@code " about "} and the invoking packet's addresses, or "" when it is too short. */
    abstract String about(PacketMemory mem, int bi);
}
