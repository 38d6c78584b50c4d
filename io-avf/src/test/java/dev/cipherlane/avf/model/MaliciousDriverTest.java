package dev.cipherlane.avf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.device.TxDescriptor;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * A transmit descriptor the PF's malicious driver detection catches (a buffer outside the
 * VF's DMA memory, more than eight descriptors for one frame) resets the VF, as a PF does;
 * the driver sees an unannounced reset and comes back.
 */
class MaliciousDriverTest {

    private static void expectResetAndRecovery(Rig rig) {
        rig.step();
        assertEquals(1, rig.model.maliciousDriverEvents());
        assertEquals(VfState.RUNNING, rig.settle(80_000), () -> rig.driver.failure());
        assertEquals(1, rig.driver.control().recoveries());
        rig.txFrame(0, Frames.flow(Frames.PEER, 1, 100));
        assertEquals(1, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 1));
        rig.runFor(1_000_000);
        assertEquals(1, rig.wire.sentWaiting());
    }

    @Test
    void aBufferOutsideDmaMemoryResetsTheVf() {
        try (Rig rig = new Rig().bringUp()) {
            var ring = rig.model.txQueue(0).ring;
            TxDescriptor.write(ring, 0, 0xDEAD_0000L, TxDescriptor.data(100, TxDescriptor.CMD_EOP));
            rig.model.write32(Registers.qtxTail(0), 1);
            expectResetAndRecovery(rig);
        }
    }

    @Test
    void nineDescriptorsForOneFrameResetTheVf() {
        try (Rig rig = new Rig().bringUp()) {
            var ring = rig.model.txQueue(0).ring;
            var buffer = rig.model.allocateDma(4096);
            for (int i = 0; i < 9; i++) {
                TxDescriptor.write(ring, i, buffer.iova(), TxDescriptor.data(64, i == 8 ? TxDescriptor.CMD_EOP : 0));
            }
            rig.model.write32(Registers.qtxTail(0), 9);
            expectResetAndRecovery(rig);
            assertEquals(1, rig.wire.sentWaiting(), "the bad frame never left");
        }
    }
}
