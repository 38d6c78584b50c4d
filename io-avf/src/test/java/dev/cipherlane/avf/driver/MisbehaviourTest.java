package dev.cipherlane.avf.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.testing.Rig;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VirtchnlStatus;
import org.junit.jupiter.api.Test;

/**
 * Every misbehaviour of the model ends in recovery or in a clear error, within a bounded
 * number of polls of a fake clock; none hangs the driver.
 */
class MisbehaviourTest {
    /** More fake time than any deadline in the default settings (5 s) at 0.1 ms a step. */
    private static final int BOUND = 80_000;

    private static int flowsThrough(Rig rig, int frames) {
        for (int i = 0; i < frames; i++) {
            rig.wire.inject(Frames.flow(rig.driver.mac(), i, 100 + i));
        }
        int[] got = {0};
        rig.runUntil(() -> {
            for (int q = 0; q < rig.driver.queues(); q++) {
                got[0] += rig.driver.receive(q, rig.rxFrames, rig.rxLengths, 64);
            }
            return got[0] >= frames;
        }, 1_000);
        return got[0];
    }

    @Test
    void aResetThatNeverCompletesAtBringUpIsAClearError() {
        try (Rig rig = new Rig()) {
            rig.model.misbehave().resetStuck = true;
            rig.driver.start(rig.now);
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            assertEquals("VF avf-model: VF reset did not complete within 5000 ms: VFGEN_RSTAT stays VFR_INPROGRESS",
                    rig.driver.failure());
            rig.model.misbehave().resetStuck = false;
            rig.driver.start(rig.now);
            assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
        }
    }

    @Test
    void aResetThatNeverCompletesWhileRunningIsAClearError() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.misbehave().resetStuck = true;
            rig.model.resetByPf(false);
            rig.step();
            assertEquals(VfState.WAIT_RESET_DONE, rig.driver.state());
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            assertTrue(rig.driver.failure().contains("VFGEN_RSTAT stays VFR_INPROGRESS"), rig.driver.failure());
            assertEquals(0, rig.driver.receive(0, rig.rxFrames, rig.rxLengths, 64));
        }
    }

    @Test
    void anEventBeforeEveryReplyIsHandledAndTheHandshakeGoesOn() {
        try (Rig rig = new Rig()) {
            for (VirtchnlOp op : VirtchnlOp.values()) {
                rig.model.misbehave().eventBeforeReply(op);
            }
            rig.bringUp();
            assertTrue(rig.driver.control().events() >= 10, "events: " + rig.driver.control().events());
            assertEquals(0, rig.driver.control().unexpectedMessages());
            assertTrue(rig.driver.linkUp());
            assertEquals(4, flowsThrough(rig, 4));
        }
    }

    @Test
    void anErrorStatusIsAClearErrorNamingTheRequest() {
        try (Rig rig = new Rig()) {
            rig.model.misbehave().fail(VirtchnlOp.CONFIG_VSI_QUEUES, VirtchnlStatus.ERR_PARAM);
            rig.driver.start(rig.now);
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            assertEquals("VF avf-model: the PF refused CONFIG_VSI_QUEUES with VIRTCHNL_STATUS_ERR_PARAM (-5)",
                    rig.driver.failure());
            rig.model.misbehave().clear();
            rig.driver.start(rig.now);
            assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
            assertEquals(3, flowsThrough(rig, 3));
        }
    }

    @Test
    void aMissingReplyTimesOut() {
        try (Rig rig = new Rig()) {
            rig.model.misbehave().noReply(VirtchnlOp.GET_VF_RESOURCES);
            rig.driver.start(rig.now);
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            assertEquals("VF avf-model: no reply to GET_VF_RESOURCES from the PF within 1000 ms", rig.driver.failure());
            assertTrue(rig.steps < 20_000, "failed at the deadline, not later: " + rig.steps);
        }
    }

    @Test
    void aMissingStatisticsReplyWhileRunningResetsTheVf() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.misbehave().noReply(VirtchnlOp.GET_STATS);
            rig.runFor(2_500_000_000L);
            assertTrue(rig.driver.control().lastResetReason().startsWith("no reply to GET_STATS"),
                    rig.driver.control().lastResetReason());
            // Each handshake ends in GET_STATS too, so with the fault on it cannot finish.
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            rig.model.misbehave().clear();
            rig.driver.start(rig.now);
            assertEquals(VfState.RUNNING, rig.settle(BOUND));
        }
    }

    @Test
    void aResetAnnouncedByThePfIsRecoveredFrom() {
        try (Rig rig = new Rig().bringUp()) {
            assertEquals(2, flowsThrough(rig, 2));
            rig.model.resetByPf(true);
            rig.runUntil(() -> rig.driver.state() != VfState.RUNNING, 1_000);
            assertEquals(VfState.WAIT_RESET_START, rig.driver.state(), "the warning stops the rings");
            assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
            assertEquals(1, rig.driver.control().recoveries());
            assertEquals(2, rig.model.resets());
            assertEquals(4, rig.model.rssLut().entries() / 16, "the RSS LUT was configured again");
            assertEquals(5, flowsThrough(rig, 5));
        }
    }

    @Test
    void aResetWithoutWarningIsRecoveredFrom() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.resetByPf(false);
            rig.step();
            assertEquals(VfState.WAIT_RESET_DONE, rig.driver.state());
            assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
            assertEquals("the PF reset the VF", rig.driver.control().lastResetReason());
            assertEquals(6, flowsThrough(rig, 6));
        }
    }

    @Test
    void repeatedResetsAreEachRecoveredFrom() {
        try (Rig rig = new Rig().bringUp()) {
            for (int i = 0; i < 10; i++) {
                rig.model.resetByPf(i % 2 == 0);
                rig.runFor(3_000_000);
                assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
                assertEquals(3, flowsThrough(rig, 3), "after reset " + i);
            }
            assertEquals(10, rig.driver.control().recoveries());
        }
    }

    @Test
    void receiveDescriptorsNeverDoneAreDetectedAndTheVfReset() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.misbehave().rxDoneNeverSet = true;
            for (int i = 0; i < 40; i++) {
                rig.wire.inject(Frames.flow(rig.driver.mac(), i, 100));
                rig.runFor(100_000_000);
                for (int q = 0; q < 4; q++) {
                    assertEquals(0, rig.driver.receive(q, rig.rxFrames, rig.rxLengths, 64), "nothing looks done");
                }
                if (rig.driver.control().recoveries() > 0) {
                    break;
                }
            }
            assertEquals(1, rig.driver.control().recoveries(), () -> rig.driver.log().toString());
            assertTrue(rig.driver.control().lastResetReason().startsWith("receive stalled"),
                    rig.driver.control().lastResetReason());
            assertEquals(VfState.RUNNING, rig.driver.state());
            assertEquals(4, flowsThrough(rig, 4), "the reset cured the queue");
        }
    }

    @Test
    void aStalledTransmitQueueFillsTheRingThenIsResetAndDrains() {
        AvfSettings settings = AvfSettings.DEFAULT.withQueues(1).withRings(64, 64, 2048);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, settings).bringUp()) {
            rig.model.misbehave().txStalled = true;
            for (int i = 0; i < 100; i++) {
                rig.txFrame(i, Frames.flow(Frames.PEER, i, 100));
            }
            assertEquals(63, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 100));
            rig.step();
            assertEquals(0, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 10), "the ring stays full");
            assertEquals(2, rig.driver.counters(0).txRingFull());
            assertEquals(0, rig.wire.sentWaiting());
            assertEquals(VfState.RUNNING, rig.driver.state());
            rig.runUntil(() -> rig.driver.control().recoveries() == 1, BOUND);
            assertTrue(rig.driver.control().lastResetReason().startsWith("transmit queue 0 hung: 63 descriptors"),
                    rig.driver.control().lastResetReason());
            assertEquals(VfState.RUNNING, rig.driver.state());
            assertEquals(10, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 10));
            rig.runUntil(() -> rig.wire.sentWaiting() == 10, 100);
            assertEquals(10, rig.wire.sentWaiting());
        }
    }

    @Test
    void framesWithMacErrorsAreDroppedAndCounted() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withQueues(1)).bringUp()) {
            rig.model.misbehave().rxErrors = 3;
            assertEquals(7, flowsThrough(rig, 10));
            assertEquals(3, rig.driver.counters(0).rxErrors());
        }
    }

    @Test
    void aResetRequestThePfIgnoresIsAClearError() {
        try (Rig rig = new Rig()) {
            rig.model.misbehave().resetRequestsIgnored = true;
            rig.driver.start(rig.now);
            assertEquals(VfState.FAILED, rig.settle(BOUND));
            assertEquals("VF avf-model: VF reset requested but not begun within 5000 ms: the mailbox stays enabled",
                    rig.driver.failure());
        }
    }

    @Test
    void anAnnouncedResetThatNeverComesIsAskedForAndRecoveredFrom() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.misbehave().announcedResetsSkipped = true;
            rig.model.resetByPf(true);
            rig.runUntil(() -> rig.driver.state() == VfState.WAIT_RESET_START, 100);
            assertEquals(0, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 1), "rings stopped on the warning");
            assertEquals(VfState.RUNNING, rig.settle(BOUND), () -> rig.driver.failure());
            assertEquals("the PF announced a reset that never came", rig.driver.control().lastResetReason());
            assertEquals(2, rig.model.resets(), "bring-up's and the one we asked for");
            assertEquals(3, flowsThrough(rig, 3));
        }
    }

    @Test
    void framesHeldBackWhileTheLinkIsDownAreNotAHang() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withQueues(1)).bringUp()) {
            rig.runFor(1_000_000);
            rig.model.link(false);
            rig.runFor(1_000_000);
            for (int i = 0; i < 10; i++) {
                rig.txFrame(i, Frames.flow(Frames.PEER, i, 100));
            }
            assertEquals(10, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 10));
            rig.runFor(5_000_000_000L);
            assertEquals(0, rig.wire.sentWaiting());
            assertEquals(0, rig.driver.control().recoveries(), () -> rig.driver.log().toString());
            rig.model.link(true);
            rig.runFor(1_000_000);
            assertEquals(10, rig.wire.sentWaiting());
        }
    }
}
