package dev.cipherlane.ipsec.esp;

import static dev.cipherlane.ipsec.esp.EspPackets.inner;
import static dev.cipherlane.ipsec.esp.EspPackets.ipip;
import static dev.cipherlane.ipsec.esp.EspPackets.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.OutboundSequence;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.SequenceSource;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * esp-encrypt's per-frame batching ({@link OutboundFrame}): one sequence reservation per SA per
 * frame, numbers in frame order and never reused, the one-by-one fallback at the end of the
 * space and for sources that cannot batch, and counters and limits added once per frame.
 */
class EspEncryptFrameTest {
    private static final String OUT = "esp-encrypt.rewrite";

    /** An in-memory counter that counts how it is asked. */
    private static final class Counting implements SequenceSource {
        final OutboundSequence inner;
        final List<Integer> batches = new ArrayList<>();
        int singles;

        Counting(long first) {
            inner = new OutboundSequence(false, first);
        }

        @Override
        public long next() {
            singles++;
            return inner.next();
        }

        @Override
        public long tryAcquire(int n) {
            batches.add(n);
            return inner.tryAcquire(n);
        }
    }

    private static int[] frame(EspLoop loop, StageHarness h, int n, int[] saIndexes) {
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            f[i] = loop.outgoing(h, ipip(inner(4, 64 + i, i), 4));
            h.memory().saIndex(f[i], saIndexes[i % saIndexes.length]);
        }
        return f;
    }

    private static List<Integer> sequenceNumbers(StageHarness h, int spi) {
        List<Integer> out = new ArrayList<>();
        for (byte[] p : h.capturedBytes(OUT)) {
            if (u32(p, 20) == spi) {
                out.add(u32(p, 24));
            }
        }
        return out;
    }

    @Test
    void eachSaReservesItsNumbersOncePerFrameAndHandsThemOutInFrameOrder() {
        Counting a = new Counting(1);
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, a);
        Counting b = new Counting(500);
        int other = loop.table.add(SecurityAssociation.of(EspLoop.SPI + 1, Direction.OUTBOUND,
                EspLoop.keyMaterial(EspLoop.SPI + 1), EspLoop.TUNNEL), b);
        loop.table.publish();
        try (StageHarness h = loop.encryptHarness()) {
            h.run(EspEncrypt.NAME, frame(loop, h, 9, new int[] {loop.outbound, other, loop.outbound}));
            h.run(EspEncrypt.NAME, frame(loop, h, 2, new int[] {loop.outbound}));
            assertEquals(List.of(6, 2), a.batches, "one reservation per frame, for all of the SA's packets");
            assertEquals(List.of(3), b.batches);
            assertEquals(0, a.singles + b.singles);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), sequenceNumbers(h, EspLoop.SPI));
            assertEquals(List.of(500, 501, 502), sequenceNumbers(h, EspLoop.SPI + 1));
            assertEquals(8, loop.table.state(loop.outbound).counters().packets());
            assertEquals(3, loop.table.state(other).counters().packets());
        }
    }

    /** With crypto threads the numbers are taken in esp-encrypt-prepare, per frame all the same. */
    @Test
    void theCryptoThreadsPrepareStageReservesOncePerFrameToo() {
        Counting a = new Counting(1);
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, a);
        try (StageHarness h = new StageHarness(new EspEncryptPrepare(new EspEncryptPrepare.Params(loop.table::current)))) {
            h.run(EspEncryptPrepare.NAME, frame(loop, h, 7, new int[] {loop.outbound}));
            h.run(EspEncryptPrepare.NAME, frame(loop, h, 3, new int[] {loop.outbound}));
            assertEquals(List.of(7, 3), a.batches, "one reservation per frame, for all of the SA's packets");
            assertEquals(0, a.singles);
            List<Integer> numbers = new ArrayList<>();
            for (byte[] p : h.capturedBytes("esp-encrypt-prepare.seal")) {
                numbers.add(u32(p, 24));
            }
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), numbers);
            assertEquals(10, loop.table.state(loop.outbound).counters().packets(), "counted once a frame");
        }
    }

    /** Numbers reserved for packets dropped before they took one are skipped, never handed out later. */
    @Test
    void numbersOfDroppedPacketsAreAGapNotReused() {
        Counting a = new Counting(1);
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, a);
        try (StageHarness h = loop.encryptHarness()) {
            int[] f = frame(loop, h, 5, new int[] {loop.outbound});
            int bad = h.packet(new byte[] {0x46, 0, 0, 20}, 1);
            h.memory().saIndex(bad, loop.outbound);
            int[] withBad = {f[0], bad, f[1], f[2], f[3], f[4]};
            h.run(EspEncrypt.NAME, withBad);
            h.run(EspEncrypt.NAME, frame(loop, h, 1, new int[] {loop.outbound}));
            assertEquals(1, h.errors(EspEncrypt.NAME, "outer header not ip4 without options"));
            assertEquals(List.of(1, 2, 3, 4, 5, 7), sequenceNumbers(h, EspLoop.SPI));
        }
    }

    @Test
    void atTheEndOfTheSpacePacketsTakeTheLastNumbersOneByOne() {
        Counting a = new Counting(0xFFFF_FFFDL);
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, a);
        try (StageHarness h = loop.encryptHarness()) {
            h.run(EspEncrypt.NAME, frame(loop, h, 5, new int[] {loop.outbound}));
            assertEquals(List.of(0xFFFF_FFFD, 0xFFFF_FFFE, 0xFFFF_FFFF), sequenceNumbers(h, EspLoop.SPI));
            assertEquals(2, h.errors(EspEncrypt.NAME, "sequence number exhausted"));
            assertEquals(3, loop.table.state(loop.outbound).counters().packets());
        }
    }

    /** A source that only has next() (a lambda) still numbers every packet, one call each. */
    @Test
    void aSourceThatCannotBatchIsAskedPerPacket() {
        long[] n = {41};
        int[] calls = {0};
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, () -> {
            calls[0]++;
            return ++n[0];
        });
        try (StageHarness h = loop.encryptHarness()) {
            h.run(EspEncrypt.NAME, frame(loop, h, 4, new int[] {loop.outbound}));
            assertEquals(List.of(42, 43, 44, 45), sequenceNumbers(h, EspLoop.SPI));
            assertEquals(4, calls[0]);
        }
    }

    /** Counted once per frame: the frame that reaches the hard limit goes out whole, the next one not. */
    @Test
    void limitsAreCheckedPerFrame() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        loop.table.replace(loop.outbound, loop.outboundSa.withLimits(SaLimits.packets(2, 3)));
        loop.table.publish();
        try (StageHarness h = loop.encryptHarness()) {
            h.run(EspEncrypt.NAME, frame(loop, h, 5, new int[] {loop.outbound}));
            h.run(EspEncrypt.NAME, frame(loop, h, 5, new int[] {loop.outbound}));
            assertEquals(5, h.captured(OUT).size());
            assertEquals(5, h.errors(EspEncrypt.NAME, "sa hard limit reached"));
            SaState sa = loop.table.state(loop.outbound);
            assertEquals(5, sa.counters().packets());
            assertEquals(List.of(new SaEvent(loop.outbound, EspLoop.SPI, SaLimit.SOFT_PACKETS),
                    new SaEvent(loop.outbound, EspLoop.SPI, SaLimit.HARD_PACKETS)), loop.table.pollEvents());
        }
    }
}
