package dev.cipherlane.avf.driver;

import static dev.cipherlane.avf.virtchnl.VirtchnlOp.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Rig;
import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.Promiscuous;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.net.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bring-up against the model: the messages, their order, and what the PF ends up holding. */
class HandshakeTest {

    @Test
    void bringUpRunsTheWholeHandshakeInOrder() {
        try (Rig rig = new Rig().bringUp()) {
            assertEquals(List.of(RESET_VF, VERSION, GET_VF_RESOURCES, CONFIG_RSS_KEY, CONFIG_RSS_LUT,
                    CONFIG_VSI_QUEUES, CONFIG_IRQ_MAP, ADD_ETH_ADDR, CONFIG_PROMISCUOUS_MODE, ENABLE_QUEUES, GET_STATS),
                    rig.model.messagesReceived());
            assertEquals(Version.V1_1, rig.model.vfVersion());
            assertEquals(Version.V1_1, rig.driver.control().pfVersion());
            assertEquals(1, rig.model.resets(), "the driver's own RESET_VF");
            assertEquals(Registers.VFR_VFACTIVE, rig.model.resetState());
            int granted = rig.model.capabilitiesGranted();
            assertTrue((granted & Capabilities.L2) != 0 && (granted & Capabilities.RSS_PF) != 0);
            assertNull(rig.driver.failure());
        }
    }

    @Test
    void thePfHoldsTheConfigurationTheDriverAskedFor() {
        try (Rig rig = new Rig().bringUp()) {
            assertEquals(4, rig.driver.queues());
            for (int q = 0; q < 4; q++) {
                assertTrue(rig.model.rxEnabled(q) && rig.model.txEnabled(q), "queue " + q);
                assertEquals(512, rig.model.rxRingLength(q));
                assertEquals(2048, rig.model.rxBufferSize(q));
            }
            assertFalse(rig.model.rxEnabled(4));
            assertArrayEquals(AvfSettings.DEFAULT_RSS_KEY, rig.model.rssKeyConfigured());
            assertArrayEquals(RssLut.roundRobin(64, 4), rig.model.rssLut().lut());
            assertEquals(List.of(ModelSettings.DEFAULT.mac()), rig.model.macFilters());
            assertEquals(ModelSettings.DEFAULT.mac(), rig.driver.mac());
            assertEquals(0, rig.model.promiscuous());
            assertEquals(1, rig.model.irqMap().vectors().size());
            assertEquals(0xF, rig.model.irqMap().vectors().get(0).rxQueues());
        }
    }

    @Test
    void theLinkEventAfterEnableIsSeen() {
        try (Rig rig = new Rig().bringUp()) {
            rig.runFor(1_000_000);
            assertTrue(rig.driver.linkUp());
            assertEquals(40_000, rig.driver.linkSpeedMbps());
            rig.model.link(false);
            rig.runFor(1_000_000);
            assertFalse(rig.driver.linkUp());
            rig.model.link(true);
            rig.runFor(1_000_000);
            assertTrue(rig.driver.linkUp());
            assertEquals(0, rig.driver.control().unexpectedMessages());
        }
    }

    @Test
    void fewerQueuesThanAskedAreUsed() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT.withQueuePairs(2), AvfSettings.DEFAULT.withQueues(8)).bringUp()) {
            assertEquals(2, rig.driver.queues());
            assertArrayEquals(RssLut.roundRobin(64, 2), rig.model.rssLut().lut());
            assertFalse(rig.model.rxEnabled(2));
        }
    }

    @Test
    void aChosenAddressAndPromiscuousModeReachThePf() {
        MacAddress mine = MacAddress.parse("02:12:34:56:78:9a");
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withMac(mine, true)).bringUp()) {
            assertEquals(List.of(mine), rig.model.macFilters());
            assertEquals(Promiscuous.UNICAST | Promiscuous.MULTICAST, rig.model.promiscuous());
        }
    }

    @Test
    void statisticsAreFetchedEveryInterval() {
        try (Rig rig = new Rig().bringUp()) {
            long before = rig.model.messagesReceived().stream().filter(op -> op == GET_STATS).count();
            rig.runFor(3_500_000_000L);
            long after = rig.model.messagesReceived().stream().filter(op -> op == GET_STATS).count();
            assertEquals(3, after - before);
        }
    }

    @Test
    void anOrderlyStopDisablesTheQueuesFirst() {
        try (Rig rig = new Rig().bringUp()) {
            rig.driver.stop(rig.now);
            assertEquals(VfState.STOPPING, rig.driver.state());
            assertEquals(0, rig.driver.receive(0, rig.rxFrames, rig.rxLengths, 8));
            rig.runUntil(() -> rig.driver.state() == VfState.STOPPED, 100);
            assertEquals(VfState.STOPPED, rig.driver.state());
            assertEquals(DISABLE_QUEUES, rig.model.messagesReceived().getLast());
            for (int q = 0; q < 4; q++) {
                assertFalse(rig.model.rxEnabled(q) || rig.model.txEnabled(q), "queue " + q);
            }
            assertFalse(new dev.cipherlane.avf.driver.AdminQueue(rig.model).running(), "mailbox shut");
        }
    }

    @Test
    void aStopTheVfNeverAnswersStillEnds() {
        try (Rig rig = new Rig().bringUp()) {
            rig.model.misbehave().noReply(DISABLE_QUEUES);
            rig.driver.stop(rig.now);
            rig.runUntil(() -> rig.driver.state() == VfState.STOPPED, 20_000);
            assertEquals(VfState.STOPPED, rig.driver.state());
        }
    }

    @Test
    void aVersion10PfGetsTheOldResourceRequestAndOneQueueWithoutRss() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT.withPfVersion(new Version(1, 0)), AvfSettings.DEFAULT).bringUp()) {
            assertEquals(new Version(1, 0), rig.driver.control().pfVersion());
            assertEquals(List.of(RESET_VF, VERSION, GET_VF_RESOURCES, CONFIG_VSI_QUEUES, CONFIG_IRQ_MAP,
                    ADD_ETH_ADDR, CONFIG_PROMISCUOUS_MODE, ENABLE_QUEUES, GET_STATS), rig.model.messagesReceived());
            assertEquals(1, rig.driver.queues());
            assertNull(rig.model.rssLut());
        }
    }
}
