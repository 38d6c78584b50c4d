package dev.cipherlane.benchmarks;

import dev.cipherlane.afpacket.GsoSocket;
import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.linux.GatherMessage;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * One UDP GSO super-frame of ESP-in-UDP datagrams sent by an uplink's {@link GsoSocket} on a
 * real veth, the way afpacket-output sends one, two ways in one run: {@code gather}, what the
 * stage does now (the headers and each datagram's payload where it lies, one sendmsg of 23
 * iovecs), and {@code copy}, what it did before (every payload copied behind the headers into
 * one 64 KB buffer, then sent as one piece). Same socket, same kernel path, same bytes on the
 * wire: the difference is the user-space copy.
 *
 * <p>22 datagrams of 1498 bytes (a 1400-byte pod packet in IPIP in ESP in UDP: 1456 bytes of
 * UDP payload), as many as a 32 KB rx block of the peer holds, the most afpacket-output joins
 * with the default rings. Their buffers are 2 KB apart, as in the packet pools. Nothing reads
 * the peer's end of the veth; its kernel drops the frames (not its MAC address), so the send
 * also runs a short receive. One JMH operation is one datagram; each run also prints CPU time
 * per datagram. Needs root (namespaces, veth, AF_PACKET).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Thread)
public class GsoSendBench {
    static final int DATAGRAMS = 22;
    static final int PAYLOAD = 1456;
    static final int HEADERS = Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER + Udp.HEADER;
    static final int STRIDE = 2048;

    @Param({"gather", "copy"})
    public String mode;

    /**
     * Where each datagram's UDP payload starts in its 2 KB buffer: 92 is where afpacket-output
     * finds it on the ESP-in-UDP path (128 bytes of headroom less the outer Ethernet, IPv4,
     * UDP, ESP header and IV, and the IPIP header: the frame starts at 50), 128 a 64-byte
     * aligned start, to tell how much of a difference the alignment of the kernel's copy makes.
     */
    @Param({"92", "128"})
    public int payloadAt;

    private Namespace a;
    private Namespace b;
    private PacketRing ring;
    private GsoSocket gso;
    private Arena arena;
    private MemorySegment packets;
    private MemorySegment built;
    private MemorySegment superHeaders;
    private boolean gather;
    private long sent;
    private long failed;
    private CpuPerPacket cpu;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        a = Namespace.create("clgsoa-" + tag);
        b = Namespace.create("clgsob-" + tag);
        a.disableIpv6();
        b.disableIpv6();
        Wire wire = Wire.join(a, "ga", b, "gb", 0).up();
        ring = a.handle().runIn(() -> PacketRing.open(wire.indexA(),
                new PacketRing.Config(1 << 17, 4, 2048, 5, 1 << 16, 4, -1, false, true)));
        gso = ring.gso();
        gather = mode.equals("gather");
        arena = Arena.ofShared();
        packets = arena.allocate((long) DATAGRAMS * STRIDE, 64);
        built = arena.allocate(VirtioNetHeader.LEGACY_SIZE + HEADERS + (long) DATAGRAMS * PAYLOAD, 64);
        for (int i = 0; i < DATAGRAMS; i++) {
            long p = (long) i * STRIDE + payloadAt - HEADERS;
            for (int j = 0; j < HEADERS + PAYLOAD; j++) {
                packets.set(Net.U8, p + j, (byte) (i * 31 + j));
            }
        }
        superHeaders = arena.allocate(VirtioNetHeader.LEGACY_SIZE + HEADERS, 8);
        writeSuperFrameHeaders(superHeaders);
        cpu = new CpuPerPacket(Thread.currentThread());
    }

    /** A virtio-net header and the Ethernet, IPv4 and UDP headers of the whole super-frame, as UdpGso writes them. */
    private static void writeSuperFrameHeaders(MemorySegment h) {
        long eth = VirtioNetHeader.LEGACY_SIZE;
        h.set(Net.U16, eth, (short) 0x0200);
        h.set(Net.U32, eth + 2, 0x0000000b);
        h.set(Net.U16, eth + 6, (short) 0x0200);
        h.set(Net.U32, eth + 8, 0x0000000a);
        h.set(Net.U16, eth + Ethernet.ETHERTYPE, (short) Ethernet.ETHERTYPE_IP4);
        long ip = eth + Ethernet.HEADER_LENGTH;
        int udpLength = Udp.HEADER + DATAGRAMS * PAYLOAD;
        h.set(Net.U8, ip + Ip4.VERSION_IHL, (byte) 0x45);
        h.set(Net.U16, ip + Ip4.TOTAL_LENGTH, (short) (Ip4.MIN_HEADER + udpLength));
        h.set(Net.U8, ip + Ip4.TTL, (byte) 64);
        h.set(Net.U8, ip + Ip4.PROTOCOL, (byte) IpProtocol.UDP);
        h.set(Net.U32, ip + Ip4.SOURCE, 0x0ac80001);
        h.set(Net.U32, ip + Ip4.SOURCE + 4, 0x0ac80002);
        h.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(h, ip, Ip4.MIN_HEADER));
        long udp = ip + Ip4.MIN_HEADER;
        h.set(Net.U16, udp + Udp.SOURCE_PORT, (short) Udp.NAT_TRAVERSAL_PORT);
        h.set(Net.U16, udp + Udp.DESTINATION_PORT, (short) Udp.NAT_TRAVERSAL_PORT);
        h.set(Net.U16, udp + Udp.LENGTH, (short) udpLength);
        long pseudo = Checksum.sum(h, ip + Ip4.SOURCE, 8, IpProtocol.UDP + udpLength);
        h.set(Net.U16, udp + Udp.CHECKSUM, (short) Checksum.fold(pseudo));
        VirtioNetHeader.set(h, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, HEADERS, PAYLOAD,
                HEADERS - Udp.HEADER, Udp.CHECKSUM);
    }

    @Setup(Level.Iteration)
    public void iterationStart(IterationParams iteration) {
        cpu.iterationStart(iteration, sent * DATAGRAMS);
    }

    @TearDown(Level.Iteration)
    public void iterationEnd() {
        cpu.iterationEnd(sent * DATAGRAMS);
    }

    @Benchmark
    @OperationsPerInvocation(DATAGRAMS)
    public long superFrame() throws LinuxException {
        if (gather) {
            gatherPieces();
        } else {
            copyIntoOneBuffer();
        }
        long r = gso.send();
        if (r > 0) {
            sent++;
        } else {
            failed++;
        }
        return r;
    }

    /** afpacket-output now: the headers behind the virtio-net header, then each payload where it lies. */
    private void gatherPieces() {
        GatherMessage message = gso.message();
        message.clear();
        int headers = VirtioNetHeader.LEGACY_SIZE + HEADERS;
        MemorySegment h = gso.headers();
        MemorySegment.copy(superHeaders, 0, h, 0, headers);
        message.add(h, 0, headers);
        for (int i = 0; i < DATAGRAMS; i++) {
            message.add(packets, (long) i * STRIDE + payloadAt, PAYLOAD);
        }
    }

    /** afpacket-output before: the headers and every payload copied into one buffer, sent as one piece. */
    private void copyIntoOneBuffer() {
        GatherMessage message = gso.message();
        message.clear();
        int headers = VirtioNetHeader.LEGACY_SIZE + HEADERS;
        MemorySegment.copy(superHeaders, 0, built, 0, headers);
        long end = headers;
        for (int i = 0; i < DATAGRAMS; i++) {
            MemorySegment.copy(packets, (long) i * STRIDE + payloadAt, built, end, PAYLOAD);
            end += PAYLOAD;
        }
        message.add(built, 0, end);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        System.out.print(cpu.report(benchmark.id() + " (" + failed + " sends would have blocked)"));
        ring.close();
        a.close();
        b.close();
        arena.close();
    }
}
