package dev.cipherlane.ipsec.esp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.parallel.ParallelComplete;
import dev.cipherlane.ipsec.parallel.ParallelRing;
import dev.cipherlane.ipsec.parallel.ParallelSubmit;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One SA over several crypto threads: prepare on the worker, seal on two threads, complete in
 * ring order, then check, open on two threads and finish in order. What comes out must be what
 * went in, in the order it went in, with sequence numbers in order on the wire.
 */
class EspParallelTest {
    private static final int PACKETS = 2000;

    @Test
    void twoCryptoThreadsKeepOrderAndSequenceAndRoundTripEveryByte() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        try (StageHarness h = new StageHarness(8192, 0)) {
            ParallelRing<AeadEngine> seal = new ParallelRing<>("esp-seal", h.memory(), 256, 2,
                    k -> AeadEngines.create("jdk"));
            ParallelRing<AeadEngine> open = new ParallelRing<>("esp-open", h.memory(), 256, 2,
                    k -> AeadEngines.create("jdk"));
            try {
                h.add(new EspEncryptPrepare(new EspEncryptPrepare.Params(loop.table::current)))
                        .add(new ParallelSubmit<>("esp-seal-submit", new ParallelSubmit.Params<>(seal,
                                new EspSealJob(loop.table::current))))
                        .add(new ParallelComplete<>("esp-seal-complete", EspSealJob.REASONS,
                                new ParallelComplete.Params<>(seal, 0)))
                        .add(new EspDecryptCheck(new EspDecryptCheck.Params(loop.table::current)))
                        .add(new ParallelSubmit<>("esp-open-submit", new ParallelSubmit.Params<>(open,
                                new EspOpenJob(loop.table::current))))
                        .add(new ParallelComplete<>("esp-open-complete", EspOpenJob.REASONS,
                                new ParallelComplete.Params<>(open, 0)))
                        .add(new EspDecryptFinish(new EspDecryptFinish.Params(loop.table::current)))
                        .connect(EspEncryptPrepare.NAME, "seal", "esp-seal-submit")
                        .connect(EspDecryptCheck.NAME, "open", "esp-open-submit")
                        .connect("esp-open-complete", "next", EspDecryptFinish.NAME);
                List<byte[]> sent = new ArrayList<>();
                for (int f = 0; f < PACKETS / 100; f++) {
                    int[] bis = new int[100];
                    for (int i = 0; i < bis.length; i++) {
                        byte[] ipip = EspPackets.ipip(EspPackets.inner(4, 40 + (f * 100 + i) % 1400, f * 100L + i), 4);
                        sent.add(ipip);
                        bis[i] = loop.outgoing(h, ipip);
                    }
                    h.run(EspEncryptPrepare.NAME, bis);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    h.runtime().runOnce(256);
                    return h.captured("esp-seal-complete.next").size() == PACKETS;
                });
                List<byte[]> wire = h.capturedBytes("esp-seal-complete.next");
                for (int i = 0; i < PACKETS; i++) {
                    assertEquals(i + 1, EspPackets.u32(wire.get(i), 20 + 4), "sequence numbers leave in order");
                }
                for (int f = 0; f < PACKETS / 100; f++) {
                    int[] bis = new int[100];
                    for (int i = 0; i < bis.length; i++) {
                        bis[i] = h.packet(wire.get(f * 100 + i), 2);
                    }
                    h.run(EspDecryptCheck.NAME, bis);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    h.runtime().runOnce(256);
                    return h.captured("esp-decrypt-finish.ipip").size() == PACKETS;
                });
                List<byte[]> back = h.capturedBytes("esp-decrypt-finish.ipip");
                for (int i = 0; i < PACKETS; i++) {
                    assertArrayEquals(sent.get(i), back.get(i), "packet " + i);
                }
                assertEquals(PACKETS, loop.table.state(loop.inbound).counters().packets());
            } finally {
                seal.shutdown();
                open.shutdown();
            }
        }
    }

    @Test
    void replaysAreStoppedBeforeTheCryptoThreads() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        try (StageHarness h = new StageHarness(loop.decrypt(),
                new EspDecryptCheck(new EspDecryptCheck.Params(loop.table::current)))) {
            byte[] packet = loop.incoming(5, EspPackets.payload(EspPackets.inner(4, 100, 1), 4));
            h.run(EspDecrypt.NAME, h.packet(packet, 2));
            assertEquals(1, h.captured("esp-decrypt.ipip").size(), "accepted once: the window now holds 5");
            h.run(EspDecryptCheck.NAME, h.packet(packet, 2));
            assertEquals(1, h.errors(EspDecryptCheck.NAME, "replay"));
            assertEquals(0, h.captured("esp-decrypt-check.open").size());
        }
    }

    /** The check runs the window once per run of one SA's packets; what is no ESP falls out between. */
    @Test
    void aFrameOfMixedPacketsIsCheckedPacketByPacketInOrder() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        try (StageHarness h = new StageHarness(loop.decrypt(),
                new EspDecryptCheck(new EspDecryptCheck.Params(loop.table::current)))) {
            byte[] seven = loop.incoming(7, EspPackets.payload(EspPackets.inner(4, 100, 1), 4));
            byte[] eight = loop.incoming(8, EspPackets.payload(EspPackets.inner(4, 100, 2), 4));
            h.run(EspDecrypt.NAME, h.packet(loop.incoming(100, EspPackets.payload(EspPackets.inner(4, 100, 3), 4)), 2));
            // The window is at 100 now, 64 wide: 7 and 8 are still inside it, unseen.
            h.run(EspDecryptCheck.NAME, h.packet(new byte[] {0x45, 0, 0, 20}, 2), h.packet(seven, 2),
                    h.packet(new byte[] {1}, 2), h.packet(eight, 2), h.packet(seven, 2));
            assertEquals(2, h.errors(EspDecryptCheck.NAME, "esp runt")
                    + h.errors(EspDecryptCheck.NAME, "outer ip4 length mismatch")
                    + h.errors(EspDecryptCheck.NAME, "outer header not ip4"), "the two that are no ESP are dropped");
            // Both copies of 7 pass the check (nothing recorded yet); the finish refuses the second.
            assertEquals(3, h.captured("esp-decrypt-check.open").size());
        }
    }
}
