package dev.cipherlane.tap;

import dev.cipherlane.stages.wire.Ethernet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.testbed.Lab;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TapInput, TapOutput and EpollIdle on a real two-queue tap in a fresh network namespace
 * ({@link TapNamespace}): the namespace's kernel is the pod. Traffic comes from sockets
 * opened inside the namespace by a thread that entered it.
 */
@Tag("root")
class TapNamespaceTest {
    /** Dataplane index of the tap. */
    private static final int TAP = 1;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private TapNamespace t;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        t = TapNamespace.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (t != null) {
            t.close();
        }
    }

    private TapInput input(int queue) {
        return new TapInput(new TapInput.Params(t.queues.fd(queue), TAP, t.tap, queue, 0));
    }

    private TapOutput output() {
        return new TapOutput(TapOutput.Params.of(Map.of(TAP, new int[] {t.queues.fd(0), t.queues.fd(1)})));
    }

    private String out(int queue) {
        return TapInput.name(t.tap, queue) + ".ethernet-input";
    }

    /** Both queues feeding the responder, whose replies go back out through tap-output. */
    private StageHarness peerGraph() {
        StageHarness h = new StageHarness(1024, 64, input(0), input(1));
        h.add(new PeerResponder()).add(output());
        h.connect(TapInput.name(t.tap, 0), "ethernet-input", PeerResponder.NAME);
        h.connect(TapInput.name(t.tap, 1), "ethernet-input", PeerResponder.NAME);
        h.connect(PeerResponder.NAME, "tx", TapOutput.NAME);
        return h;
    }

    private EpollIdle idleOnQueues(int spins, int timeoutMs) throws Exception {
        EpollIdle idle = EpollIdle.open(spins, timeoutMs);
        idle.watch(t.queues.fd(0));
        idle.watch(t.queues.fd(1));
        return idle;
    }

    @Test
    void whatTheNamespaceSendsArrivesAsEthernetFramesWithTheirOffloadState() throws Exception {
        byte[][] payloads = new byte[3][];
        try (StageHarness h = new StageHarness(input(0), input(1));
                EpollIdle idle = idleOnQueues(0, 60_000)) {
            try (WorkerLoop loop = new WorkerLoop(h.runtime(), idle)) {
                // The worker sleeps before anything is sent: only the tap's readiness can wake it
                // within the deadline, the timeout being a minute.
                awaitTrue(() -> idle.sleeps() > 0, "worker never slept");
                t.ns.runIn(() -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        for (int i = 0; i < 3; i++) {
                            payloads[i] = ("datagram " + i + " through the tap").getBytes(StandardCharsets.US_ASCII);
                            s.send(new DatagramPacket(payloads[i], payloads[i].length,
                                    InetAddress.getByName(TapNamespace.NODE_IP), 9));
                        }
                    }
                    return null;
                });
                awaitTrue(() -> h.captured(out(0)).size() + h.captured(out(1)).size() >= 3,
                        "three datagrams not received");
                loop.assertRunning();
            }
            assertTrue(idle.wakeups() >= 1);

            List<Integer> got = new ArrayList<>(h.captured(out(0)));
            got.addAll(h.captured(out(1)));
            assertEquals(3, got.size());
            PacketMemory mem = h.memory();
            List<String> seen = new ArrayList<>();
            for (int bi : got) {
                byte[] f = mem.read(bi);
                assertEquals(TAP, mem.rxInterface(bi));
                assertEquals(SizeClass.SMALL, mem.sizeClass(bi));
                assertEquals(TestFrames.NODE_MAC, mac(f, 0), "sent to the permanent neighbour");
                assertEquals(TestFrames.POD_MAC, mac(f, 6));
                assertEquals(0x0800, TestFrames.be16(f, 12));
                assertEquals(17, f[23]);
                assertArrayEquals(new byte[] {10, 99, 0, 1, 10, 99, 0, 2}, Arrays.copyOfRange(f, 26, 34));
                assertEquals(9, TestFrames.be16(f, 36));
                // The kernel left the UDP checksum to us (TUN_F_CSUM): the field holds the
                // folded pseudo-header sum, virtio's NEEDS_CSUM contract.
                assertTrue(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
                assertEquals(34, mem.csumStart(bi) - mem.dataOffset(bi));
                assertEquals(6, mem.csumOffset(bi));
                int udpLength = TestFrames.be16(f, 38);
                int pseudo = foldedPseudoHeaderSum(f, 17, udpLength);
                assertEquals(pseudo, TestFrames.be16(f, 40));
                seen.add(new String(f, 42, udpLength - 8, StandardCharsets.US_ASCII));
            }
            List<String> sent = new ArrayList<>();
            for (byte[] p : payloads) {
                sent.add(new String(p, StandardCharsets.US_ASCII));
            }
            assertEquals(sent.stream().sorted().toList(), seen.stream().sorted().toList());
            for (int q = 0; q < 2; q++) {
                assertEquals(0, h.errors(TapInput.name(t.tap, q), "read error"));
                assertEquals(0, h.errors(TapInput.name(t.tap, q), "gso super-packets received"));
            }
        }
    }

    @Test
    void pingAndUdpEchoWorkEndToEndThroughInputResponderAndOutput() throws Exception {
        long rxBefore = t.statistic("rx_packets");
        try (StageHarness h = peerGraph(); EpollIdle idle = idleOnQueues(100, 100)) {
            boolean reachable;
            byte[] reply;
            InetSocketAddress from;
            try (WorkerLoop loop = new WorkerLoop(h.runtime(), idle)) {
                // InetAddress.isReachable sends ICMP echo requests from a raw socket as root:
                // created on this thread inside the namespace, it is the namespace's ping.
                reachable = t.ns.runIn(() -> InetAddress.getByName(TapNamespace.NODE_IP).isReachable(5000));
                byte[] hello = "echo me through the tap".getBytes(StandardCharsets.US_ASCII);
                DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
                t.ns.runIn(() -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        s.setSoTimeout(5000);
                        s.send(new DatagramPacket(hello, hello.length,
                                InetAddress.getByName(TapNamespace.NODE_IP), 7777));
                        s.receive(answer);
                    }
                    return null;
                });
                reply = Arrays.copyOf(answer.getData(), answer.getLength());
                from = (InetSocketAddress) answer.getSocketAddress();
                assertArrayEquals(hello, reply);
                loop.assertRunning();
            }
            assertTrue(reachable, "no echo reply came back through the dataplane");
            assertEquals(TapNamespace.NODE_IP, from.getAddress().getHostAddress());
            assertEquals(7777, from.getPort());
            assertEquals(0, h.captured(PeerResponder.NAME + ".other").size(), "nothing but echo traffic");
            assertTrue(h.errors(PeerResponder.NAME, PeerResponder.ECHO_REPLIES) >= 1, "answered by ICMP, not a TCP probe");
            assertEquals(0, h.errors(PeerResponder.NAME, PeerResponder.SYN_ACKS));
            assertEquals(1, h.errors(PeerResponder.NAME, PeerResponder.UDP_ECHOES));
            for (String reason : output().spec().errors()) {
                assertEquals(0, h.errors(TapOutput.NAME, reason), reason);
            }
            assertTrue(t.statistic("rx_packets") - rxBefore >= 2, "tap rx counter did not move");
        }
    }

    @Test
    void aTcpFlightFromTheNamespaceArrivesAsOneTsoSuperPacket() throws Exception {
        try (StageHarness h = peerGraph(); EpollIdle idle = idleOnQueues(100, 100)) {
            String other = PeerResponder.NAME + ".other";
            AtomicReference<Socket> socket = new AtomicReference<>();
            Thread writer = null;
            try (WorkerLoop loop = new WorkerLoop(h.runtime(), idle)) {
                // The responder answers the SYN; the kernel then sends its first flight, which
                // TSO lets it hand over as one super-packet. Nobody acknowledges the data.
                socket.set(t.ns.runIn(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(TapNamespace.NODE_IP, 5201), 5000);
                    return s;
                }));
                writer = Thread.ofPlatform().start(() -> {
                    try {
                        OutputStream os = socket.get().getOutputStream();
                        os.write(new byte[256 * 1024]);
                    } catch (java.io.IOException closedUnderUs) {
                        // Expected: the test closes the socket while the write waits for ACKs.
                    }
                });
                awaitTrue(() -> superPacket(h, other) >= 0, "no TSO super-packet arrived");
                loop.assertRunning();
            } finally {
                if (socket.get() != null) {
                    socket.get().close();
                }
                if (writer != null) {
                    writer.join(10_000);
                }
            }
            int bi = superPacket(h, other);
            PacketMemory mem = h.memory();
            byte[] f = mem.read(bi);
            assertEquals(SizeClass.LARGE, mem.sizeClass(bi));
            assertEquals(1, mem.gsoType(bi), "TCPV4");
            assertEquals(1460, mem.gsoSize(bi), "the MSS our SYN-ACK announced");
            assertTrue(f.length > 14 + 20 + 20 + 1460, "only " + f.length + " bytes");
            assertEquals(f.length - 14, TestFrames.be16(f, 16), "IPv4 total length of the whole super-packet");
            assertEquals(5201, TestFrames.be16(f, 36));
            assertTrue(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertEquals(34, mem.csumStart(bi) - mem.dataOffset(bi));
            assertEquals(16, mem.csumOffset(bi));
            long counted = h.errors(TapInput.name(t.tap, 0), "gso super-packets received")
                    + h.errors(TapInput.name(t.tap, 1), "gso super-packets received");
            assertTrue(counted >= 1);
            assertTrue(h.errors(PeerResponder.NAME, PeerResponder.SYN_ACKS) >= 1);
        }
    }

    @Test
    void theKernelTakesASuperPacketWholeFromTapOutput() throws Exception {
        int payload = 30_000;
        int seq = 0x01020304;
        byte[] tcp = TestFrames.tcp(7777, 7778, payload);
        tcp[4] = 1;
        tcp[5] = 2;
        tcp[6] = 3;
        tcp[7] = 4;
        // PSH alone, no ACK: the kernel's reset then acknowledges seq + every payload byte it got.
        tcp[13] = 0x08;
        byte[] ip = TestFrames.ip4(TestFrames.ip(10, 99, 0, 2), TestFrames.ip(10, 99, 0, 1), 6, tcp);
        int pseudo = foldedPseudoHeaderSum(ip, 0, 6, tcp.length);
        ip[20 + 16] = (byte) (pseudo >>> 8);
        ip[20 + 17] = (byte) pseudo;
        byte[] frame = TestFrames.ethernet(TestFrames.POD_MAC, TestFrames.NODE_MAC, Ethernet.ETHERTYPE_IP4, ip);

        long rxBefore = t.statistic("rx_packets");
        try (StageHarness h = new StageHarness(1024, 64, input(0), input(1));
                EpollIdle idle = idleOnQueues(100, 100)) {
            h.add(output());
            GraphRuntime rt = h.runtime();
            int bi = h.packet(frame, 0);
            PacketMemory mem = h.memory();
            mem.txInterface(bi, TAP);
            mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + 34);
            mem.csumOffset(bi, 16);
            mem.gsoType(bi, 1);
            mem.gsoSize(bi, 1460);
            h.run(TapOutput.NAME, bi);
            for (String reason : output().spec().errors()) {
                assertEquals(0, h.errors(TapOutput.NAME, reason), reason);
            }

            long end = System.nanoTime() + DEADLINE_NS;
            byte[] reset = null;
            while (reset == null && System.nanoTime() < end) {
                idle.idle(rt.runOnce(256));
                for (int q = 0; q < 2 && reset == null; q++) {
                    for (byte[] f : h.capturedBytes(out(q))) {
                        if (f.length >= 54 && f[23] == 6 && (f[47] & 0x04) != 0) {
                            reset = f;
                        }
                    }
                }
            }
            assertNotNull(reset, "the kernel never answered the super-packet");
            assertEquals(7778, TestFrames.be16(reset, 34));
            assertEquals(7777, TestFrames.be16(reset, 36));
            assertEquals(0x14, reset[47] & 0xFF, "RST|ACK");
            long ack = Integer.toUnsignedLong(TestFrames.be16(reset, 42) << 16 | TestFrames.be16(reset, 44));
            assertEquals(Integer.toUnsignedLong(seq) + payload, ack, "acknowledged the whole super-packet");
        }
        assertEquals(1, t.statistic("rx_packets") - rxBefore, "one frame for the kernel, not segments");
    }

    // ---- helpers -------------------------------------------------------------------------

    /** The first captured TCP super-packet (gso size set), or -1. */
    private static int superPacket(StageHarness h, String capture) {
        for (int bi : h.captured(capture)) {
            if (h.memory().gsoSize(bi) > 0) {
                return bi;
            }
        }
        return -1;
    }

    /** Folded, uncomplemented pseudo-header sum (RFC 768, RFC 9293 section 3.1) of an IPv4 frame's L4. */
    private static int foldedPseudoHeaderSum(byte[] frame, int protocol, int l4Length) {
        return foldedPseudoHeaderSum(frame, 14, protocol, l4Length);
    }

    private static int foldedPseudoHeaderSum(byte[] b, int ipOffset, int protocol, int l4Length) {
        long sum = 0;
        for (int i = 12; i < 20; i += 2) {
            sum += TestFrames.be16(b, ipOffset + i);
        }
        sum += protocol + l4Length;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (f[off + i] & 0xFF);
        }
        return m;
    }

    private static void awaitTrue(BooleanSupplier condition, String failure) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, failure);
            Thread.sleep(5);
        }
    }

    /**
     * A worker thread running the graph with an idle strategy until closed, the way a
     * {@code Worker} with {@link EpollIdle} would. Closing stops it and rethrows what it threw.
     */
    private static final class WorkerLoop implements AutoCloseable {
        private final EpollIdle idle;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean running = true;

        WorkerLoop(GraphRuntime rt, EpollIdle idle) {
            this.idle = idle;
            this.thread = Thread.ofPlatform().name("tap-test-worker").start(() -> {
                try {
                    while (running) {
                        idle.idle(rt.runOnce(256));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        }

        /** Fails the test if the worker died. */
        void assertRunning() {
            if (failure.get() != null) {
                throw new AssertionError("worker failed", failure.get());
            }
            assertTrue(thread.isAlive(), "worker stopped");
        }

        @Override
        public void close() {
            running = false;
            idle.signal();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the worker", e);
            }
            assertFalse(thread.isAlive(), "worker did not stop");
            if (failure.get() != null) {
                throw new AssertionError("worker failed", failure.get());
            }
        }
    }
}
