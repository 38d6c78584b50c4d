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
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Gives the node's own traffic back to the kernel. With the uplink taken over (DESIGN.md,
 * "Uplink"), packets for the node's addresses reach the dataplane; those that are not ours to
 * handle (anything but tunnel traffic, and later IKE and ESP) belong to the kernel, which holds
 * the same addresses on the host tap. This stage puts an Ethernet header on such a packet,
 * addressed to the host tap's kernel side, and sends it out of the host tap unchanged
 * otherwise: no TTL decrement, since the packet has arrived, as vpp-manager's punt redirect does.
 *
 * <p>Packets for other local addresses (the pods' link-local gateway, tunnel sources) go on
 * to {@code punt}: the kernel does not own them and, routing as a host may, could send them on.
 *
 * <p>The packet starts at its IP header, IPv4 from {@code ip4-local}, IPv6 from the
 * IPv6 local path; the version nibble says which.
 */
public final class HostRedirect extends Stage<HostRedirect.Params> {
    public static final String NAME = "host-redirect";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { TX, PUNT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_HEADROOM("no headroom for ethernet header"),
        NOT_IP("host packet not ip"),
        REDIRECTED("redirected to host");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /**
     * @param hostInterface the host tap's interface index
     * @param kernelMac     the MAC of the host tap's kernel side (the frame's destination)
     * @param ourMac        our MAC on the host tap (the frame's source)
     * @param ip4           the kernel's IPv4 addresses
     * @param ip6           the kernel's IPv6 addresses as high, low pairs
     */
    public record Params(int hostInterface, long kernelMac, long ourMac, int[] ip4, long[] ip6) {
        public Params {
            if (hostInterface < 0) {
                throw new IllegalArgumentException(NAME + ": host interface index " + hostInterface);
            }
            if (ip6.length % 2 != 0) {
                throw new IllegalArgumentException(NAME + ": IPv6 addresses come as high, low pairs");
            }
            ip4 = ip4.clone();
            ip6 = ip6.clone();
        }

        boolean owns4(int address) {
            for (int a : ip4) {
                if (a == address) {
                    return true;
                }
            }
            return false;
        }

        boolean owns6(long hi, long lo) {
            for (int i = 0; i < ip6.length; i += 2) {
                if (ip6[i] == hi && ip6[i + 1] == lo) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params p && hostInterface == p.hostInterface && kernelMac == p.kernelMac
                    && ourMac == p.ourMac && Arrays.equals(ip4, p.ip4) && Arrays.equals(ip6, p.ip6);
        }

        @Override
        public int hashCode() {
            return (hostInterface * 31 + Long.hashCode(kernelMac)) * 31 + Arrays.hashCode(ip4);
        }

        @Override
        public String toString() {
            return "host interface " + hostInterface + ", " + ip4.length + " ip4 and " + ip6.length / 2
                    + " ip6 addresses";
        }
    }

    public HostRedirect(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int length = mem.length(bi);
            long ip = mem.start(bi);
            int version = length > 0 ? Byte.toUnsignedInt(data.get(Net.U8, ip)) >>> 4 : 0;
            boolean host;
            int etherType;
            if (version == 4 && length >= Ip4.MIN_HEADER) {
                host = p.owns4(data.get(Net.U32, ip + Ip4.DESTINATION));
                etherType = Ethernet.ETHERTYPE_IP4;
            } else if (version == 6 && length >= Ip6.HEADER) {
                host = p.owns6(data.get(Net.U64, ip + Ip6.DESTINATION), data.get(Net.U64, ip + Ip6.DESTINATION + 8));
                etherType = Ethernet.ETHERTYPE_IP6;
            } else {
                ctx.drop(bi, Errors.NOT_IP);
                continue;
            }
            if (!host) {
                ctx.enqueue(Arcs.PUNT, bi);
                continue;
            }
            if (mem.dataOffset(bi) < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.NO_HEADROOM);
                continue;
            }
            mem.push(bi, Ethernet.HEADER_LENGTH);
            long e = ip - Ethernet.HEADER_LENGTH;
            Ethernet.writeMac(data, e + Ethernet.DESTINATION, p.kernelMac());
            Ethernet.writeMac(data, e + Ethernet.SOURCE, p.ourMac());
            data.set(Net.U16, e + Ethernet.ETHERTYPE, (short) etherType);
            mem.txInterface(bi, p.hostInterface());
            mem.clearFlag(bi, PacketFlags.LOCAL);
            ctx.count(Errors.REDIRECTED, 1);
            ctx.enqueue(Arcs.TX, bi);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "to host interface " + params().hostInterface() + ", length " + mem.length(bi);
    }
}
