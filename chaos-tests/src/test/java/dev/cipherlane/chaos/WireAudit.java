package dev.cipherlane.chaos;

import static dev.cipherlane.chaos.EspOnWire.BE32;
import static dev.cipherlane.chaos.EspOnWire.BE64;

import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.BytePattern;
import dev.cipherlane.testbed.LabPod;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What crosses the wire between two nodes whose tunnels are encrypted, frame by frame, to
 * prove DESIGN.md's "fail closed": no pod packet travels in clear. Every frame falls into one
 * {@link Kind}; ARP, ESP, UDP 4500 control and the nodes' own host traffic are expected, an
 * IPIP frame or anything unknown is a violation. Whatever its kind, a frame is also a
 * violation when its bytes hold a piece of a checked stream ({@link BytePattern#containsRun})
 * or an inner header's pod addresses: an IPv4 source and destination pair of two pods, or a
 * pod's IPv6 address.
 *
 * <p>For ESP it records every (SPI, sequence number) pair ({@link SequenceLedger}), and per
 * SPI the packets, the outer address pairs and the lowest and highest sequence numbers seen.
 * Runs on the relay thread; the accessors may be called from the test thread at any time.
 */
final class WireAudit implements FrameObserver {
    /** The kinds of frame on the wire. */
    enum Kind {
        ARP(true),
        /** IPv4 protocol 50. */
        ESP(true),
        /** ESP in UDP, port 4500. */
        ESP_IN_UDP(true),
        /** IKE or a NAT keepalive on port 4500. */
        NAT_T_CONTROL(true),
        /** IPv4 between underlay addresses, not tunnelled: the nodes' own traffic from their host taps. */
        HOST_IP4(true),
        /** IPv6 between link-local addresses or to multicast: neighbour discovery of the node kernels. */
        HOST_IP6(true),
        /** IPv4 protocol 4 or 41: a tunnel in clear. */
        IPIP(false),
        OTHER(false);

        final boolean expected;

        Kind(boolean expected) {
            this.expected = expected;
        }
    }

    /** What the wire showed of one SPI. */
    record SpiUse(long packets, long lowestSequence, long highestSequence, Set<String> outerPairs,
                  Set<Direction> directions) {
        @Override
        public String toString() {
            return packets + " packets, sequence " + lowestSequence + ".." + highestSequence + ", " + outerPairs + " "
                    + directions;
        }
    }

    private static final int KEPT_VIOLATIONS = 10;
    private static final int HEADER_BYTES = 64;
    private static final int UNDERLAY_MASK = 0xFFFF_0000;
    private static final int UNDERLAY = ip4(AddressPlan.underlay(1)) & UNDERLAY_MASK;

    private final int[] pods4;
    private final long[] pods6;
    /** The first two bytes every pod address of a family shares (the address plan's 10.1/16, fd01::/16). */
    private final short top4;
    private final short top6;
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    private final Map<Direction, Long> espByDirection = new EnumMap<>(Direction.class);
    private final List<String> violations = new ArrayList<>();
    private final SequenceLedger ledger = new SequenceLedger();
    private final List<String> repeats = new ArrayList<>();
    private final Map<Integer, long[]> spiCounts = new TreeMap<>((a, b) -> Integer.compareUnsigned(a, b));
    private final Map<Integer, Set<String>> spiPairs = new TreeMap<>((a, b) -> Integer.compareUnsigned(a, b));
    private final Map<Integer, Set<Direction>> spiDirections = new TreeMap<>((a, b) -> Integer.compareUnsigned(a, b));
    private long frames;
    private long violationCount;
    private long repeatCount;

    /** An audit of the wire between the nodes of {@code pods}. */
    WireAudit(List<LabPod> pods) {
        pods4 = pods.stream().mapToInt(p -> ip4(p.ip4())).toArray();
        pods6 = new long[2 * pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            ByteBuffer b = ByteBuffer.wrap(pods.get(i).address6().getAddress());
            pods6[2 * i] = b.getLong();
            pods6[2 * i + 1] = b.getLong();
        }
        top4 = (short) (ip4(AddressPlan.pod4(1, 1)) >>> 16);
        top6 = (short) (ByteBuffer.wrap(InetAddress.ofLiteral(AddressPlan.pod6(1, 1)).getAddress()).getShort());
        for (int p : pods4) {
            if ((short) (p >>> 16) != top4) {
                throw new IllegalArgumentException("pod " + EspOnWire.ip4(p) + " is not in the address plan's pod range");
            }
        }
        for (int p = 0; p < pods6.length; p += 2) {
            if ((short) (pods6[p] >>> 48) != top6) {
                throw new IllegalArgumentException("an IPv6 pod is not in the address plan's pod range");
            }
        }
    }

    @Override
    public synchronized void frame(Direction direction, MemorySegment f, int length) {
        frames++;
        Kind kind = classify(direction, f, length);
        counts.merge(kind, 1L, Long::sum);
        String why = kind.expected ? null : kind.name();
        if (BytePattern.containsRun(f, Ethernet.HEADER_LENGTH, length)) {
            why = (why == null ? "" : why + ", ") + "stream bytes in clear";
        }
        String pod = podAddressAt(f, length);
        if (pod != null) {
            why = (why == null ? "" : why + ", ") + "pod address " + pod;
        }
        if (why != null) {
            violationCount++;
            if (violations.size() < KEPT_VIOLATIONS) {
                violations.add("frame " + frames + " " + direction + " " + kind + ": " + why + ": "
                        + EspOnWire.hex(f, length, HEADER_BYTES));
            }
        }
    }

    private Kind classify(Direction direction, MemorySegment f, int length) {
        int type = EspOnWire.ethertype(f, length);
        if (type == Ethernet.ETHERTYPE_ARP) {
            return Kind.ARP;
        }
        if (type == Ethernet.ETHERTYPE_IP6) {
            return hostIp6(f, length) ? Kind.HOST_IP6 : Kind.OTHER;
        }
        if (!EspOnWire.isIp4(f, length)) {
            return Kind.OTHER;
        }
        int protocol = EspOnWire.protocol(f);
        if (protocol == IpProtocol.IPIP4 || protocol == IpProtocol.IPIP6) {
            return Kind.IPIP;
        }
        if (!underlay(EspOnWire.source(f)) || !underlay(EspOnWire.destination(f))) {
            return Kind.OTHER;
        }
        int esp = EspOnWire.espAt(f, length);
        if (esp == EspOnWire.NAT_T_CONTROL) {
            return Kind.NAT_T_CONTROL;
        }
        if (esp == EspOnWire.NOT_ESP) {
            return protocol == IpProtocol.ESP ? Kind.OTHER : Kind.HOST_IP4;
        }
        esp(direction, f, esp);
        return protocol == IpProtocol.ESP ? Kind.ESP : Kind.ESP_IN_UDP;
    }

    private void esp(Direction direction, MemorySegment f, int at) {
        int spi = EspOnWire.spi(f, at);
        long sequence = EspOnWire.sequence(f, at);
        espByDirection.merge(direction, 1L, Long::sum);
        if (!ledger.add(spi, sequence)) {
            repeatCount++;
            if (repeats.size() < KEPT_VIOLATIONS) {
                repeats.add(String.format("spi 0x%08x sequence %d again (%s)", spi, sequence, direction));
            }
        }
        long[] c = spiCounts.computeIfAbsent(spi, s -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
        c[0]++;
        c[1] = Math.min(c[1], sequence);
        c[2] = Math.max(c[2], sequence);
        spiPairs.computeIfAbsent(spi, s -> new LinkedHashSet<>())
                .add(EspOnWire.ip4(EspOnWire.source(f)) + " > " + EspOnWire.ip4(EspOnWire.destination(f)));
        spiDirections.computeIfAbsent(spi, s -> new LinkedHashSet<>()).add(direction);
    }

    private static boolean underlay(int address) {
        return (address & UNDERLAY_MASK) == UNDERLAY;
    }

    /** Link-local or unspecified source, link-local or multicast destination (RFC 4291 section 2.4). */
    private static boolean hostIp6(MemorySegment f, int length) {
        if (length < Ethernet.HEADER_LENGTH + 40) {
            return false;
        }
        int src = EspOnWire.u16(f, Ethernet.HEADER_LENGTH + 8);
        boolean unspecified = f.get(BE64, Ethernet.HEADER_LENGTH + 8) == 0 && f.get(BE64, Ethernet.HEADER_LENGTH + 16) == 0;
        int dst = EspOnWire.u16(f, Ethernet.HEADER_LENGTH + 24);
        boolean linkLocalSource = (src & 0xFFC0) == 0xFE80 || unspecified;
        boolean localDestination = (dst & 0xFFC0) == 0xFE80 || (dst & 0xFF00) == 0xFF00;
        return linkLocalSource && localDestination;
    }

    /**
     * A pod address where an inner header would hold it, or null: checked at every byte
     * position, the first two bytes compared first so that most positions cost one read.
     */
    private String podAddressAt(MemorySegment f, int length) {
        for (int at = Ethernet.HEADER_LENGTH; at + 8 <= length; at++) {
            short top = f.get(EspOnWire.BE16, at);
            if (top == top4) {
                int first = f.get(BE32, at);
                int second = f.get(BE32, at + 4);
                if (first != second && isPod4(first) && isPod4(second)) {
                    return EspOnWire.ip4(first) + " > " + EspOnWire.ip4(second) + " at byte " + at;
                }
            }
            if (top == top6 && at + 16 <= length) {
                long hi = f.get(BE64, at);
                for (int p = 0; p < pods6.length; p += 2) {
                    if (hi == pods6[p] && f.get(BE64, at + 8) == pods6[p + 1]) {
                        return "IPv6 pod " + (p / 2 + 1) + " at byte " + at;
                    }
                }
            }
        }
        return null;
    }

    private boolean isPod4(int address) {
        for (int p : pods4) {
            if (p == address) {
                return true;
            }
        }
        return false;
    }

    synchronized long frames() {
        return frames;
    }

    synchronized long count(Kind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    /** ESP packets, in IP or in UDP, that went {@code direction}. */
    synchronized long espPackets(Direction direction) {
        return espByDirection.getOrDefault(direction, 0L);
    }

    /** How many frames broke the rules, and the first few of them in hex. */
    synchronized long violationCount() {
        return violationCount;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** ESP packets whose (SPI, sequence number) had been seen before, and the first few. */
    synchronized long repeatedSequences() {
        return repeatCount;
    }

    synchronized List<String> repeats() {
        return List.copyOf(repeats);
    }

    /** Per SPI, in unsigned order, what the wire showed of it. */
    synchronized Map<Integer, SpiUse> spis() {
        Map<Integer, SpiUse> m = new TreeMap<>((a, b) -> Integer.compareUnsigned(a, b));
        spiCounts.forEach((spi, c) -> m.put(spi, new SpiUse(c[0], c[1], c[2], Set.copyOf(spiPairs.get(spi)),
                Set.copyOf(spiDirections.get(spi)))));
        return m;
    }

    synchronized String summary() {
        StringBuilder sb = new StringBuilder(frames + " frames: " + counts + ", " + violationCount
                + " violations, " + repeatCount + " repeated (spi, sequence) of " + ledger.pairs() + "\n");
        spis().forEach((spi, use) -> sb.append(String.format("  spi 0x%08x: %s%n", spi, use)));
        return sb.toString();
    }

    private static int ip4(String address) {
        return ByteBuffer.wrap(InetAddress.ofLiteral(address).getAddress()).getInt();
    }
}
