package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.VirtioNetHeader;
import org.junit.jupiter.api.Test;

/** Ring geometry for an uplink MTU: every frame an MTU check passes fits a tx frame. */
class PacketRingConfigTest {
    /** Issue: uplink.mtu up to 9000 was accepted with 2 KB tx frames, so large frames vanished as too long. */
    @Test
    void txFramesHoldAFullSizedFrameForEveryMtu() {
        for (int mtu = 576; mtu <= 9000; mtu++) {
            int size = PacketRing.Config.frameSizeFor(mtu);
            int capacity = size - Tpacket.TX_DATA_OFFSET - VirtioNetHeader.LEGACY_SIZE;
            assertTrue(capacity >= mtu + 18, "mtu " + mtu + ": frame " + size + " holds " + capacity);
            assertEquals(0, size & (size - 1), "a power of two, so it divides the blocks");
        }
        assertEquals(2048, PacketRing.Config.frameSizeFor(1500), "the usual MTU keeps the default frames");
        assertEquals(16384, PacketRing.Config.frameSizeFor(9000));
    }

    @Test
    void largerFramesKeepAsManyTxFrames() {
        PacketRing.Config d = PacketRing.Config.defaults(-1);
        PacketRing.Config jumbo = d.withFrameSize(16384);
        assertEquals(16384, jumbo.frameSize());
        assertEquals(d.txFrames(), jumbo.txFrames());
        assertEquals(d.rxBlockSize(), jumbo.rxBlockSize());
        assertEquals(d, d.withFrameSize(d.frameSize()), "the same size changes nothing");
    }
}
