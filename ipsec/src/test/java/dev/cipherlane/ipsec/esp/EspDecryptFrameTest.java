package dev.cipherlane.ipsec.esp;

import static dev.cipherlane.ipsec.esp.EspPackets.inner;
import static dev.cipherlane.ipsec.esp.EspPackets.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * esp-decrypt a frame at a time ({@link InboundFrame}, {@link FrameCounters}): within one frame
 * a replay is still refused and a forged packet still leaves no trace in the window, packets
 * come out in the order they came, and counters and limits are added per frame.
 */
class EspDecryptFrameTest {
    private static final String IPIP = "esp-decrypt.ipip";

    private static int packet(StageHarness h, EspLoop loop, long seq, boolean forged) {
        byte[] p = loop.incoming(seq, payload(inner(4, 80, (int) seq), 4));
        if (forged) {
            p[p.length - 20] ^= 0x40;
        }
        return h.packet(p, 0);
    }

    /**
     * One frame: 1, a forged 2, 3, 1 again, 5. The replay is refused by the window update in
     * frame order (the check before decryption let both copies of 1 through); the forged 2 is
     * not recorded, so the real 2 is accepted in the next frame; the others come out in order.
     */
    @Test
    void replaysAndForgeriesInsideOneFrame() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 64, null);
        try (StageHarness h = loop.decryptHarness()) {
            int[] frame = {packet(h, loop, 1, false), packet(h, loop, 2, true), packet(h, loop, 3, false),
                packet(h, loop, 1, false), packet(h, loop, 5, false)};
            h.run(EspDecrypt.NAME, frame);
            assertEquals(List.of(frame[0], frame[2], frame[4]), h.captured(IPIP));
            assertEquals(1, h.errors(EspDecrypt.NAME, "replay"));
            assertEquals(1, h.errors(EspDecrypt.NAME, "integrity check failed"));
            assertEquals(5, loop.table.state(loop.inbound).window().highest());

            int real = packet(h, loop, 2, false);
            h.run(EspDecrypt.NAME, real, packet(h, loop, 5, false));
            assertEquals(List.of(frame[0], frame[2], frame[4], real), h.captured(IPIP));
            assertEquals(2, h.errors(EspDecrypt.NAME, "replay"), "5 again");
            assertEquals(4, loop.table.state(loop.inbound).counters().packets());
        }
    }

    /** Packets of two SAs interleaved: each window sees its own numbers, runs switch windows correctly. */
    @Test
    void twoSasInterleavedInOneFrame() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 64, null);
        int spi = EspLoop.SPI + 1;
        int other = loop.table.add(SecurityAssociation.of(spi, Direction.INBOUND, EspLoop.keyMaterial(spi),
                EspLoop.TUNNEL).withReplayWindow(64));
        loop.table.publish();
        try (StageHarness h = loop.decryptHarness()) {
            int[] frame = new int[8];
            for (int i = 0; i < frame.length; i++) {
                long seq = 10 + i / 2;
                if (i % 2 == 0) {
                    frame[i] = packet(h, loop, seq, false);
                } else {
                    byte[] esp = EspPackets.esp(loop.testEngine, loop.table.state(other).key(), spi, seq, false, seq,
                            payload(inner(4, 80, i), 4));
                    frame[i] = h.packet(EspPackets.outer(esp), 0);
                }
            }
            int replayOfOther = h.packet(h.memory().data().asSlice(h.memory().start(frame[7]),
                    h.memory().length(frame[7])).toArray(ValueLayout.JAVA_BYTE), 0);
            h.run(EspDecrypt.NAME, concat(frame, replayOfOther));
            assertEquals(8, h.captured(IPIP).size());
            assertEquals(1, h.errors(EspDecrypt.NAME, "replay"));
            assertEquals(13, loop.table.state(loop.inbound).window().highest());
            assertEquals(13, loop.table.state(other).window().highest());
            assertEquals(4, loop.table.state(other).counters().packets());
        }
    }

    private static int[] concat(int[] a, int b) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    @Test
    void countersAndLimitsArePerFrame() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 64, null);
        loop.table.replace(loop.inbound, loop.inboundSa.withLimits(SaLimits.packets(2, 3)));
        loop.table.publish();
        try (StageHarness h = loop.decryptHarness()) {
            int[] first = new int[5];
            for (int i = 0; i < first.length; i++) {
                first[i] = h.packet(loop.incoming(i + 1, payload(inner(4, 100 + i, i), 4)), 0);
            }
            h.run(EspDecrypt.NAME, first);
            SaState sa = loop.table.state(loop.inbound);
            assertEquals(5, h.captured("esp-decrypt.ipip").size(), "the frame that reaches the limit goes through");
            assertEquals(5, sa.counters().packets());
            assertEquals(100 + 101 + 102 + 103 + 104, sa.counters().bytes());
            assertEquals(5, sa.window().highest());

            int[] second = {h.packet(loop.incoming(6, payload(inner(4, 64, 6), 4)), 0),
                h.packet(loop.incoming(3, payload(inner(4, 64, 7), 4)), 0)};
            h.run(EspDecrypt.NAME, second);
            assertEquals(2, h.errors(EspDecrypt.NAME, "sa hard limit reached"));
            assertEquals(5, h.captured("esp-decrypt.ipip").size());
            assertEquals(List.of(new SaEvent(loop.inbound, EspLoop.SPI, SaLimit.SOFT_PACKETS),
                    new SaEvent(loop.inbound, EspLoop.SPI, SaLimit.HARD_PACKETS)), loop.table.pollEvents());
        }
    }
}
