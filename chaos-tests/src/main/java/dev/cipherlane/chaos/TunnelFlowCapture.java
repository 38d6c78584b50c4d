package dev.cipherlane.chaos;

import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches IPIP tunnels on a wire and records, for every inner flow (protocol, source and
 * destination address and port of the packet inside), the outer (source, destination) pairs
 * that carried it. A node that keeps each flow in one tunnel shows exactly one pair per
 * flow; ECMP over n tunnels with distinct addresses shows up to n pairs over all flows.
 *
 * <p>Frames are Ethernet II with an outer IPv4 header carrying protocol 4 (IPv4 in IPv4,
 * RFC 2003) or 41 (IPv6 in IPv4, RFC 4213 section 3.5). Ports are read for TCP and UDP
 * (the first four bytes of both headers) unless the inner IPv4 packet is a non-first
 * fragment; an inner IPv6 packet whose first next header is not TCP or UDP is recorded
 * without ports. Everything else on the wire (ARP, the nodes' own traffic outside tunnels)
 * is only counted.
 */
public final class TunnelFlowCapture implements FrameObserver {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A tunnel's outer addresses, IPv4 as big-endian ints. */
    public record OuterPair(int source, int destination) {
        @Override
        public String toString() {
            return ip4(source) + " > " + ip4(destination);
        }
    }

    /**
     * An inner flow. IPv4 addresses sit in the low 32 bits of {@code sourceLo} and
     * {@code destinationLo} with the high halves 0; ports are 0 where there are none.
     */
    public record InnerFlow(int version, int protocol, long sourceHi, long sourceLo, int sourcePort,
                            long destinationHi, long destinationLo, int destinationPort) {
        public String source() {
            return address(version, sourceHi, sourceLo);
        }

        public String destination() {
            return address(version, destinationHi, destinationLo);
        }

        @Override
        public String toString() {
            return "proto " + protocol + " " + source() + ":" + sourcePort + " > " + destination() + ":"
                    + destinationPort;
        }
    }

    private final Map<InnerFlow, Set<OuterPair>> flows = new ConcurrentHashMap<>();
    private final AtomicLong tunnelled = new AtomicLong();
    private final AtomicLong other = new AtomicLong();

    @Override
    public void frame(Direction direction, MemorySegment frame, int length) {
        if (length < Ethernet.HEADER_LENGTH + 20 || Short.toUnsignedInt(frame.get(BE16, 12)) != Ethernet.ETHERTYPE_IP4) {
            other.incrementAndGet();
            return;
        }
        int outer = Ethernet.HEADER_LENGTH;
        int outerHeader = (frame.get(ValueLayout.JAVA_BYTE, outer) & 0x0f) * 4;
        int protocol = frame.get(ValueLayout.JAVA_BYTE, outer + 9) & 0xff;
        int inner = outer + outerHeader;
        InnerFlow flow = switch (protocol) {
            case IpProtocol.IPIP4 -> inner4(frame, inner, length);
            case IpProtocol.IPIP6 -> inner6(frame, inner, length);
            default -> null;
        };
        if (flow == null) {
            other.incrementAndGet();
            return;
        }
        tunnelled.incrementAndGet();
        OuterPair pair = new OuterPair(frame.get(BE32, outer + 12), frame.get(BE32, outer + 16));
        flows.computeIfAbsent(flow, f -> ConcurrentHashMap.newKeySet()).add(pair);
    }

    /** The flow of the IPv4 packet at {@code f[at, length)}, or null when its header is cut short. */
    static InnerFlow inner4(MemorySegment f, int at, int length) {
        if (length < at + 20) {
            return null;
        }
        int header = (f.get(ValueLayout.JAVA_BYTE, at) & 0x0f) * 4;
        int protocol = f.get(ValueLayout.JAVA_BYTE, at + 9) & 0xff;
        long src = Integer.toUnsignedLong(f.get(BE32, at + 12));
        long dst = Integer.toUnsignedLong(f.get(BE32, at + 16));
        // RFC 791: fragment offset is the low 13 bits; only offset 0 carries the L4 header.
        boolean firstFragment = (f.get(BE16, at + 6) & 0x1fff) == 0;
        int l4 = at + header;
        boolean ports = firstFragment && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && length >= l4 + 4;
        return new InnerFlow(4, protocol, 0, src, ports ? port(f, l4) : 0, 0, dst, ports ? port(f, l4 + 2) : 0);
    }

    /** The flow of the IPv6 packet at {@code f[at, length)}, or null when its header is cut short. */
    static InnerFlow inner6(MemorySegment f, int at, int length) {
        if (length < at + Ip6.HEADER) {
            return null;
        }
        int next = f.get(ValueLayout.JAVA_BYTE, at + 6) & 0xff;
        int l4 = at + Ip6.HEADER;
        boolean ports = (next == IpProtocol.TCP || next == IpProtocol.UDP) && length >= l4 + 4;
        return new InnerFlow(6, next, f.get(BE64, at + 8), f.get(BE64, at + 16), ports ? port(f, l4) : 0,
                f.get(BE64, at + 24), f.get(BE64, at + 32), ports ? port(f, l4 + 2) : 0);
    }

    private static int port(MemorySegment f, int at) {
        return Short.toUnsignedInt(f.get(BE16, at));
    }

    /** Every inner flow seen so far and the outer pairs that carried it, ordered for printing. */
    public Map<InnerFlow, Set<OuterPair>> flows() {
        Map<InnerFlow, Set<OuterPair>> copy = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        flows.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
        return copy;
    }

    /** Frames that were IPIP with a readable inner header. */
    public long tunnelledFrames() {
        return tunnelled.get();
    }

    /** Every other frame. */
    public long otherFrames() {
        return other.get();
    }

    static String ip4(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static String address(int version, long hi, long lo) {
        if (version == 4) {
            return ip4((int) lo);
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
