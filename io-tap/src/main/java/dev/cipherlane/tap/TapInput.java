package dev.cipherlane.tap;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.offload.VirtioNetMetadata;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * {@code tap-input-<ifname>-q<n>}: receives from one queue of a multi-queue tap opened with
 * {@code IFF_TAP|IFF_NO_PI|IFF_VNET_HDR} and a 12-byte virtio-net header
 * ({@code TUNSETVNETHDRSZ 12}, what {@code TapSpec.pod} sets). Each {@code read(2)} returns
 * one frame with that header in front; the frame goes to {@code ethernet-input} with the
 * header's offload state (GSO type and size, partial checksum) in its metadata.
 *
 * <p><b>Buffers.</b> With TSO on, the kernel hands us TCP super-packets of up to 64 KB, and
 * there is no asking how long the next frame is before reading it. So every read goes into
 * a large scratch buffer, at {@code HEADROOM - 12} so the header lands in the headroom
 * right before the Ethernet header and the frame already sits where a packet starts. An
 * MTU-sized frame is then copied into a small buffer and the scratch serves the next read;
 * a super-packet keeps the large buffer and a fresh scratch is taken. The scratch is taken
 * from the worker's cache at the start of a poll and given back at its end, so the stage
 * holds no buffer between polls (nothing to hand over on a swap, nothing leaked on close).
 * When the large pool is empty, the poll reads into a small buffer instead: MTU-sized
 * frames still get through and a super-packet is counted as "no large buffer". A frame
 * dropped before it entered the graph (runt, bad header, truncated) is counted and its
 * scratch reused; it was never a packet, so it has no trace.
 *
 * <p><b>Ownership.</b> A tap queue belongs to one worker (the params name it), like a NIC
 * rx queue; on any other worker running the same graph, poll produces nothing. One instance
 * per queue. A read error (EBADF after the tap was closed under us, EIO) is counted and
 * ends the poll; poll never throws.
 *
 * <p>One read per frame: tun has no batched receive without vhost-net, which this kernel
 * lacks. Multi-queue spreads the reads over workers.
 */
public final class TapInput extends InputStage<TapInput.Params> {
    public static final String NAME_PREFIX = "tap-input-";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { ETHERNET_INPUT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("runt frame"),
        NO_LARGE_BUFFER("no large buffer"),
        FRAME_TOO_LONG("frame too long"),
        NO_BUFFER("no buffer"),
        READ_ERROR("read error"),
        /** Counted, not dropped: super-packets handed to the graph whole. */
        GSO_RECEIVED("gso super-packets received");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** Error index of {@link VirtioNetMetadata} code 0: its errors follow this stage's own. */
    public static final int VIRTIO_ERRORS = Errors.values().length;

    /** Bytes of the virtio-net header in front of each frame (TUNSETVNETHDRSZ). */
    public static final int VNET_HEADER = VirtioNetHeader.SIZE;
    /**
     * Largest frame copied into a small buffer. Keeps 64 bytes of tailroom for what output
     * appends: ESP padding, pad length, next header and a 16-byte ICV (RFC 4303 section 2,
     * RFC 4106 section 6) come to at most 21 bytes for AES-GCM.
     */
    public static final int SMALL_FRAME_MAX = SizeClass.SMALL.bytes - PacketMemory.HEADROOM - 64;

    /**
     * @param fd             the queue's descriptor, non-blocking
     * @param interfaceIndex dataplane index of the tap, stored as each packet's rx interface
     * @param interfaceName  kernel name of the tap, for the stage name and traces
     * @param queue          queue number within the tap, for the stage name
     * @param worker         the one worker that reads this queue
     */
    public record Params(int fd, int interfaceIndex, String interfaceName, int queue, int worker) {}

    public TapInput(Params params) {
        super(spec(name(params.interfaceName(), params.queue())), params);
    }

    /** The stage name of queue {@code queue} of tap {@code interfaceName}. */
    public static String name(String interfaceName, int queue) {
        return NAME_PREFIX + interfaceName + "-q" + queue;
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, Arcs.class, Errors.class, VirtioNetMetadata.Errors.class);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.interfaceName() == null || p.interfaceName().isBlank()) {
            throw new IllegalArgumentException("tap input: an interface name is required");
        }
        if (p.fd() < 0 || p.interfaceIndex() < 0 || p.queue() < 0 || p.worker() < 0) {
            throw new IllegalArgumentException(name(p.interfaceName(), p.queue())
                    + ": fd, interface index, queue and worker must be >= 0, got " + p);
        }
        Params cur = params();
        // The name says which queue this is; a reconfig may move it (new fd, other worker), not rename it.
        if (cur != null && (!cur.interfaceName().equals(p.interfaceName()) || cur.queue() != p.queue())) {
            throw new IllegalArgumentException(name() + ": cannot become " + name(p.interfaceName(), p.queue()));
        }
        return p;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        Params p = params();
        if (ctx.worker() != p.worker()) {
            return 0;
        }
        BufferCache buffers = ctx.buffers();
        int scratch = buffers.allocLarge();
        boolean large = scratch >= 0;
        if (!large) {
            scratch = buffers.allocSmall();
            if (scratch < 0) {
                // Frames wait in the tap's queue; the kernel drops once it is full.
                ctx.count(Errors.NO_BUFFER, 1);
                return 0;
            }
        }
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int produced = 0;
        while (produced < budget) {
            long header = mem.base(scratch) + PacketMemory.HEADROOM - VNET_HEADER;
            long room = mem.bufferBytes(scratch) - PacketMemory.HEADROOM + VNET_HEADER;
            long r;
            try {
                r = Libc.read(p.fd(), data, header, room);
            } catch (LinuxException e) {
                ctx.count(Errors.READ_ERROR, 1);
                break;
            }
            if (r == Libc.WOULD_BLOCK || r == 0) {
                break;
            }
            // tun reports the whole frame's length even when it copied only what fit.
            if (r >= room) {
                ctx.count(large ? Errors.FRAME_TOO_LONG : Errors.NO_LARGE_BUFFER, 1);
                continue;
            }
            int frame = (int) r - VNET_HEADER;
            if (frame < Ethernet.HEADER_LENGTH) {
                ctx.count(Errors.RUNT, 1);
                continue;
            }
            mem.dataOffset(scratch, PacketMemory.HEADROOM);
            mem.length(scratch, frame);
            int code = VirtioNetMetadata.parse(mem, scratch, header);
            if (code != VirtioNetMetadata.OK) {
                ctx.count(VIRTIO_ERRORS + code, 1);
                continue;
            }
            int bi = large && frame <= SMALL_FRAME_MAX ? buffers.allocSmall() : -1;
            if (bi >= 0) {
                MemorySegment.copy(data, mem.start(scratch), data, mem.start(bi), frame);
                mem.length(bi, frame);
                copyOffloadState(mem, scratch, bi);
            } else {
                // The scratch becomes the packet (a super-packet, or no small buffer left).
                bi = scratch;
                scratch = buffers.allocLarge();
                large = scratch >= 0;
                if (!large) {
                    scratch = buffers.allocSmall();
                }
            }
            mem.rxInterface(bi, p.interfaceIndex());
            if (mem.gsoSize(bi) > 0) {
                ctx.count(Errors.GSO_RECEIVED, 1);
            }
            ctx.enqueue(Arcs.ETHERNET_INPUT, bi);
            produced++;
            if (scratch < 0) {
                ctx.count(Errors.NO_BUFFER, 1);
                break;
            }
        }
        if (scratch >= 0) {
            buffers.free(scratch);
        }
        return produced;
    }

    /**
     * The metadata {@link VirtioNetMetadata#parse} set, from the scratch to the small buffer.
     * {@code csumStart} counts from the buffer base; both buffers hold the frame at
     * {@code HEADROOM}, so it carries over unchanged.
     */
    private static void copyOffloadState(PacketMemory mem, int from, int to) {
        int offload = PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID;
        mem.flags(to, (mem.flags(to) & ~offload) | (mem.flags(from) & offload));
        mem.csumStart(to, mem.csumStart(from));
        mem.csumOffset(to, mem.csumOffset(from));
        mem.gsoType(to, mem.gsoType(from));
        mem.gsoSize(to, mem.gsoSize(from));
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        Params p = params();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s queue %d, %d bytes",
                p.interfaceName(), p.queue(), mem.length(bi)));
        if (mem.gsoSize(bi) > 0) {
            sb.append(String.format(Locale.ROOT, ", gso type 0x%02x size %d", mem.gsoType(bi), mem.gsoSize(bi)));
        }
        if (mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)) {
            sb.append(String.format(Locale.ROOT, ", needs csum start %d offset %d",
                    mem.csumStart(bi) - mem.dataOffset(bi), mem.csumOffset(bi)));
        } else if (mem.hasFlag(bi, PacketFlags.CSUM_VALID)) {
            sb.append(", csum valid");
        }
        return sb.toString();
    }
}
