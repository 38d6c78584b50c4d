package dev.cipherlane.chaos;

import dev.cipherlane.testbed.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The relay as a real wire between two hosts in namespaces: ping and byte-checked TCP across
 * it, clean and impaired. No timing assertions: the relay only promises what happens, not
 * how fast.
 */
@Tag("root")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ImpairmentRelayTest {
    private static final int TRANSFER_BYTES = 20 << 20;
    private static final int PORT = 5201;

    private RelayTestbed testbed;
    private ImpairmentRelay relay;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and packet sockets");
        testbed = new RelayTestbed();
        executor = Executors.newFixedThreadPool(2);
        testbed.build();
        relay = ImpairmentRelay.open(new RelayPort(testbed.relay, "ra"), new RelayPort(testbed.relay, "rb"), 1234);
        relay.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (executor != null) {
                executor.shutdownNow();
            }
            if (testbed != null) {
                testbed.close();
            }
        }
    }

    @Test
    void cleanWireCarriesPingAndTcp() throws Exception {
        assertEquals(0, testbed.pingFromA(5), "ping across a clean relay");
        transfer();
        RelayCounters ab = relay.counters(Direction.A_TO_B);
        RelayCounters ba = relay.counters(Direction.B_TO_A);
        assertTrue(ab.forwarded() > TRANSFER_BYTES / 1500, ab.toString());
        assertTrue(ba.forwarded() > 0, ba.toString());
        for (RelayCounters c : new RelayCounters[] {ab, ba}) {
            assertEquals(0, c.dropped() + c.duplicated() + c.reordered() + c.corrupted() + c.partitioned(),
                    c.toString());
        }
        assertNull(relay.failure());
    }

    @Test
    void tcpSurvivesLossDuplicationAndReordering() throws Exception {
        relay.impairBoth(Impairment.NONE.withLoss(1).withDuplication(1)
                .withReordering(2, 3, Duration.ofMillis(20)));
        transfer();
        RelayCounters ab = relay.counters(Direction.A_TO_B);
        RelayCounters ba = relay.counters(Direction.B_TO_A);
        assertTrue(ab.dropped() + ba.dropped() > 0, ab + " / " + ba);
        assertTrue(ab.duplicated() + ba.duplicated() > 0, ab + " / " + ba);
        assertTrue(ab.reordered() + ba.reordered() > 0, ab + " / " + ba);
        assertNull(relay.failure());
    }

    @Test
    void partitionStopsPingAndHealing() throws Exception {
        assertEquals(0, testbed.pingFromA(2), "ping before the partition");
        relay.impairBoth(Impairment.NONE.withPartition(true));
        assertNotEquals(0, testbed.pingFromA(3), "ping across a partition");
        assertTrue(relay.counters(Direction.A_TO_B).partitioned() > 0);
        relay.impairBoth(Impairment.NONE);
        assertEquals(0, testbed.pingFromA(5), "ping after the partition healed");
        assertNull(relay.failure());
    }

    @Test
    void relaySurvivesItsLinkFlapping() throws Exception {
        assertEquals(0, testbed.pingFromA(2), "ping before the flap");
        testbed.relayPort("ra", false);
        assertNotEquals(0, testbed.pingFromA(2), "ping with the relay's A side down");
        testbed.relayPort("ra", true);
        assertEquals(0, testbed.pingFromA(10), "ping after the link came back");
        assertNull(relay.failure());
        assertTrue(relay.isRunning());
    }

    @Test
    void tcpCrossesADelayedJitteryWire() throws Exception {
        // Jitter as large as the delay lets frames overtake each other in the timed queue.
        relay.impairBoth(Impairment.NONE.withDelay(Duration.ofMillis(1), Duration.ofMillis(1)));
        assertEquals(0, testbed.pingFromA(3), "ping across a delayed relay");
        transfer();
        assertNull(relay.failure());
    }

    @Test
    void tcpChecksumsCatchCorruption() throws Exception {
        relay.impairBoth(Impairment.NONE.withCorruption(1));
        transfer();
        RelayCounters ab = relay.counters(Direction.A_TO_B);
        RelayCounters ba = relay.counters(Direction.B_TO_A);
        assertTrue(ab.corrupted() + ba.corrupted() > 0, ab + " / " + ba);
        assertNull(relay.failure());
    }

    /**
     * Streams {@link #TRANSFER_BYTES} of a known sequence from host A to host B over TCP and
     * checks every byte. The server socket is bound in B's namespace and the client
     * connected in A's; each keeps its namespace whatever thread uses it later.
     */
    private void transfer() throws Exception {
        InetAddress bAddress = InetAddress.getByName(RelayTestbed.B_ADDRESS);
        try (ServerSocket server = testbed.b.runIn(() -> new ServerSocket(PORT, 1, bAddress))) {
            server.setSoTimeout(60_000);
            Future<Long> received = executor.submit(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(60_000);
                    return verify(s.getInputStream());
                }
            });
            try (Socket client = testbed.a.runIn(() -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(bAddress, PORT), 30_000);
                return s;
            })) {
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                long position = 0;
                while (position < TRANSFER_BYTES) {
                    int n = (int) Math.min(chunk.length, TRANSFER_BYTES - position);
                    for (int i = 0; i < n; i++) {
                        chunk[i] = expected(position + i);
                    }
                    out.write(chunk, 0, n);
                    position += n;
                }
                client.shutdownOutput();
                assertEquals(TRANSFER_BYTES, received.get(4, TimeUnit.MINUTES).longValue());
                System.out.println("A->B " + relay.counters(Direction.A_TO_B) + "; B->A "
                        + relay.counters(Direction.B_TO_A));
            }
        }
    }

    /** Reads to end of stream, failing at the first byte that differs; returns the count. */
    private static long verify(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long position = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != expected(position + i)) {
                    throw new AssertionError("byte " + (position + i) + " is " + buf[i] + ", expected "
                            + expected(position + i));
                }
            }
            position += n;
        }
        return position;
    }

    /** Byte {@code position} of the stream: a cheap hash, so shifted or swapped data shows. */
    private static byte expected(long position) {
        int x = (int) position * 0x9E3779B1;
        x ^= x >>> 15;
        return (byte) (x ^ (x >>> 7));
    }
}
