package dev.cipherlane.cli.pods;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Iperf;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.NodeViews;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk TCP between two pods through the node service: byte-checked streams (every byte
 * regenerated and compared on the receiving side) and iperf3. The pods' kernels hand the
 * taps 64 KB TCP super-packets (TSO on the tap), so this is also where GSO handling on the
 * pod path is exercised. After each run every packet buffer must be back in its pool.
 * Throughput and stalls are printed for the record, never asserted.
 */
@Tag("root")
class PodStreamTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    /** Far above what a working node needs; only keeps a broken one from hanging the build. */
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(10);
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private PodTestbed t;

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (t != null) {
            t.close();
        }
    }

    private void startNode(int workers, int queues) throws Exception {
        t = PodTestbed.create(dir, workers, queues);
        t.start();
    }

    @Test
    void oneGibibyteOverIpv4ArrivesIntactAndComesInAsSuperPackets() throws Exception {
        startNode(1, 1);
        CheckedStream.Result r = stream("ipv4-1g", t.b.address4(), 7001, GIB);
        assertTrue(r.intact(), () -> "IPv4 stream pod-a -> pod-b: " + r + "\n" + t.diagnostics());

        String errors = t.admin("show errors");
        String runtime = t.admin("show runtime");
        long superPackets = NodeViews.error(errors, PodTestbed.tapInput(t.a, 0), "gso super-packets received");
        System.out.println("PodStreamTest: gso super-packets received from pod-a: " + superPackets);
        System.out.println(runtime + errors);
        assertTrue(superPackets > 0, () -> "pod-a's kernel sent no TCP super-packets (TSO on the tap):\n"
                + runtime + errors);
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    @Test
    void twoHundredFiftySixMebibytesOverIpv6ArriveIntact() throws Exception {
        startNode(1, 1);
        CheckedStream.Result r = stream("ipv6-256m", t.b.address6(), 7002, 256 * MIB);
        assertTrue(r.intact(), () -> "IPv6 stream pod-a -> pod-b: " + r + "\n" + t.diagnostics());
        String runtime = t.admin("show runtime");
        assertTrue(NodeViews.packets(runtime, "ip6-rewrite") > 0, () -> "no IPv6 forwarded?\n" + runtime);
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    @Test
    void iperf3CompletesBetweenThePods() throws Exception {
        startNode(1, 1);
        Iperf.Report r = Iperf.run(t.directory(), t.a.netns(), t.b.netns(), t.b.ip4(), 5201, 5, 1);
        System.out.println("PodStreamTest: iperf3 pod-a -> pod-b, 5 s: " + r);
        assertNull(r.error(), () -> r + "\n" + t.diagnostics());
        assertTrue(r.bytesReceived() > 0, () -> r + "\n" + t.diagnostics());
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    /**
     * Four flows in both directions over two-queue taps served by two workers: queues of
     * one pod land on different workers, so packets cross between workers on their way.
     */
    @Test
    void fourStreamsOverTwoQueuesAndTwoWorkersArriveIntact() throws Exception {
        startNode(2, 2);
        List<CheckedStream> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean forward = i % 2 == 0;
            LabPod from = forward ? t.a : t.b;
            LabPod to = forward ? t.b : t.a;
            streams.add(t.closeLater(PodTestbed.stream("mq-" + i, from, to, to.address4(), 7010 + i,
                    128 * MIB, 0, STALL_LIMIT)));
        }
        streams.forEach(CheckedStream::start);
        for (int i = 0; i < streams.size(); i++) {
            CheckedStream.Result r = streams.get(i).await(STREAM_LIMIT);
            System.out.println("PodStreamTest: stream mq-" + i + ": " + r);
            int n = i;
            assertTrue(r.intact(), () -> "stream mq-" + n + ": " + r + "\n" + t.diagnostics());
        }
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    private CheckedStream.Result stream(String name, InetAddress to, int port, long bytes) throws Exception {
        CheckedStream s = t.closeLater(PodTestbed.stream(name, t.a, t.b, to, port, bytes, 0, STALL_LIMIT));
        CheckedStream.Result r = s.start().await(STREAM_LIMIT);
        System.out.println("PodStreamTest: " + name + " pod-a -> pod-b: " + r);
        return r;
    }
}
