package dev.cipherlane.avf.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * Traffic both ways while the PF resets the VF: the driver stops moving frames, rebuilds
 * its rings after the handshake runs again, and from then on every frame gets through.
 */
class ResetDuringTrafficTest {

    @Test
    void trafficResumesWhole() {
        AvfSettings settings = AvfSettings.DEFAULT.withRings(128, 128, 2048);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, settings).bringUp()) {
            long received = 0;
            long transmitted = 0;
            long refusedWhileDown = 0;
            int seq = 0;
            boolean resetDone = false;
            for (int step = 0; step < 20_000; step++) {
                // Four frames in from the wire, four out, each step.
                for (int i = 0; i < 4; i++) {
                    rig.wire.inject(Frames.flow(rig.driver.mac(), seq + i, 64 + (seq + i) % 3000));
                    rig.txFrame(i, Frames.flow(Frames.PEER, seq + i, 64 + (seq + i) % 3000));
                }
                seq += 4;
                int sent = rig.driver.transmit(step % rig.driver.control().resources().numQueuePairs(),
                        rig.txFrames, rig.txLengths, 4);
                transmitted += sent;
                if (rig.driver.state() != VfState.RUNNING) {
                    refusedWhileDown += 4 - sent;
                }
                rig.step();
                for (int q = 0; q < 4; q++) {
                    received += rig.driver.receive(q, rig.rxFrames, rig.rxLengths, 64);
                }
                while (rig.wire.take() != null) {
                    // the far end takes what we send
                }
                if (step == 5_000) {
                    rig.model.resetByPf(step % 2 == 0);
                }
                if (step > 5_000 && !resetDone && rig.driver.state() == VfState.RUNNING) {
                    resetDone = true;
                    assertEquals(128 - 8, rig.model.read32(Registers.qrxTail(0)), "receive ring rebuilt and refilled");
                }
            }
            assertTrue(resetDone, () -> rig.driver.state() + " " + rig.driver.failure());
            assertEquals(1, rig.driver.control().recoveries());
            assertTrue(refusedWhileDown > 0, "nothing moved while the VF was down");
            assertTrue(received > 70_000 && transmitted > 70_000, received + " received, " + transmitted + " sent");

            // Quiet now: a last burst must arrive whole and in order.
            for (int i = 0; i < 50; i++) {
                rig.wire.inject(Frames.udp4(rig.driver.mac(), 1, 2, 3, 4, 1000, i));
            }
            rig.runFor(1_000_000);
            int n = 0;
            for (int q = 0; q < 4; q++) {
                int got = rig.driver.receive(q, rig.rxFrames, rig.rxLengths, 64);
                for (int i = 0; i < got; i++) {
                    assertArrayEquals(Frames.udp4(rig.driver.mac(), 1, 2, 3, 4, 1000, n + i), rig.rxFrame(i));
                }
                n += got;
            }
            assertEquals(50, n);
        }
    }
}
