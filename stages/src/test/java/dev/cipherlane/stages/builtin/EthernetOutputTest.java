package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ethernet;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.testing.StageHarness;
import org.junit.jupiter.api.Test;

class EthernetOutputTest {
    private static final String OUT = EthernetOutput.NAME;
    private static final byte[] PEER = macBytes(0x52, 0x54, 0, 0x12, 0x34, 0x56);

    private static StageHarness harness() {
        return new StageHarness(new EthernetOutput(new EthernetOutput.Params(EthernetFrames.interfaces())));
    }

    private static int frame(StageHarness h, byte[] bytes, int txInterface) {
        int bi = h.packet(bytes, 99);
        h.memory().txInterface(bi, txInterface);
        return bi;
    }

    @Test
    void passesAValidFrameUnchanged() {
        byte[] f = ethernet(PEER, IF0_MAC_BYTES, 0x0806, new byte[28]);
        try (StageHarness h = harness()) {
            h.run(OUT, frame(h, f, IF0));

            assertEquals(1, h.captured(OUT + ".tx").size());
            assertArrayEquals(f, h.capturedBytes(OUT + ".tx").get(0));
        }
    }

    @Test
    void enforcesTheMtuOnTheL3Payload() {
        // IF1's MTU is 1400: 1400 payload bytes fit, 1401 do not.
        try (StageHarness h = harness()) {
            int fits = frame(h, ethernet(PEER, IF1_MAC_BYTES, 0x0800, new byte[1400]), IF1);
            int over = frame(h, ethernet(PEER, IF1_MAC_BYTES, 0x0800, new byte[1401]), IF1);
            int fitsOnIf0 = frame(h, ethernet(PEER, IF0_MAC_BYTES, 0x0800, new byte[1401]), IF0);
            h.run(OUT, fits, over, fitsOnIf0);

            assertEquals(2, h.captured(OUT + ".tx").size());
            assertEquals(1, h.errors(OUT, "mtu exceeded"));
            assertEquals(1414, h.memory().length(h.captured(OUT + ".tx").get(0)));
        }
    }

    @Test
    void dropsRuntsAndUnknownTxInterfaces() {
        try (StageHarness h = harness()) {
            int runt = frame(h, new byte[13], IF0);
            int gone = frame(h, ethernet(PEER, IF0_MAC_BYTES, 0x0800, new byte[20]), 5);
            int unset = frame(h, ethernet(PEER, IF0_MAC_BYTES, 0x0800, new byte[20]), -1);
            h.run(OUT, runt, gone, unset);

            assertEquals(1, h.errors(OUT, "runt frame"));
            assertEquals(2, h.errors(OUT, "unknown interface"));
            assertEquals(0, h.captured(OUT + ".tx").size());
        }
    }
}
