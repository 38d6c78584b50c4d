package dev.cipherlane.avf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.driver.AdminQueue;
import dev.cipherlane.avf.driver.PfMessage;
import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.EtherAddressList;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.RxQueueInfo;
import dev.cipherlane.avf.virtchnl.TxQueueInfo;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VfResource;
import dev.cipherlane.avf.virtchnl.VfResourceRequest;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VirtchnlStatus;
import dev.cipherlane.avf.virtchnl.VsiQueueConfig;
import dev.cipherlane.net.MacAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model's PF, spoken to raw through a mailbox: it answers what a PF answers, refuses
 * what a PF refuses, and runs the VF reset sequence a PF runs.
 */
class VirtualPfTest {
    private MemoryWire wire;
    private AvfModel model;
    private AdminQueue mailbox;
    private long now = 1_000_000;

    @BeforeEach
    void setUp() {
        wire = new MemoryWire(16);
        model = new AvfModel(wire);
        mailbox = new AdminQueue(model);
        mailbox.start();
    }

    @AfterEach
    void tearDown() {
        model.close();
        wire.close();
    }

    private PfMessage ask(VirtchnlOp op, byte[] body) {
        assertTrue(mailbox.send(op, body));
        for (int i = 0; i < 10; i++) {
            now += 100_000;
            model.service(now);
            PfMessage m = mailbox.receive();
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private int status(VirtchnlOp op, byte[] body) {
        PfMessage m = ask(op, body);
        assertNotNull(m, "a reply to " + op);
        assertEquals(op, m.op());
        return m.status();
    }

    private void activate() {
        assertEquals(VirtchnlStatus.SUCCESS, status(VirtchnlOp.VERSION, Version.V1_1.encode()));
        PfMessage r = ask(VirtchnlOp.GET_VF_RESOURCES, new VfResourceRequest(Capabilities.L2 | Capabilities.RSS_PF).encode());
        assertEquals(VirtchnlStatus.SUCCESS, r.status());
        VfResource res = VfResource.decode(r.body());
        assertEquals(VirtualPf.VSI_ID, res.sriovVsi().vsiId());
        assertEquals(ModelSettings.DEFAULT.mac(), res.sriovVsi().defaultMac());
    }

    @Test
    void versionOfTheWrongLengthIsRefused() {
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.VERSION, new byte[7]));
        assertEquals(VirtchnlStatus.SUCCESS, status(VirtchnlOp.VERSION, Version.V1_1.encode()));
        assertEquals(Version.V1_1, Version.decode(ask(VirtchnlOp.VERSION, Version.V1_1.encode()).body()));
    }

    @Test
    void configurationBeforeResourcesIsRefused() {
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_PROMISCUOUS_MODE, new byte[4]));
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.GET_VF_RESOURCES, new VfResourceRequest(1).encode()),
                "GET_VF_RESOURCES before VERSION");
    }

    @Test
    void unknownOpcodesAreNotSupported() {
        activate();
        assertEquals(VirtchnlStatus.ERR_NOT_SUPPORTED, status(VirtchnlOp.ADD_VLAN, new byte[6]));
    }

    @Test
    void queueConfigurationIsCheckedFieldByField() {
        activate();
        DmaRegion tx = model.allocateDma(512 * 16);
        DmaRegion rx = model.allocateDma(512 * 32);
        int vsi = VirtualPf.VSI_ID;
        var good = new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 512, 2048, 9728, rx.iova()));
        List<VsiQueueConfig.Pair> bad = List.of(
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 500, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 100, tx.iova()), new RxQueueInfo(vsi, 0, 512, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 512, 2000, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 512, 2048, 20000, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 9, 512, tx.iova()), new RxQueueInfo(vsi, 9, 512, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 1, 512, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi + 1, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 512, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, tx.iova()), new RxQueueInfo(vsi, 0, 1024, 2048, 9728, rx.iova())),
                new VsiQueueConfig.Pair(new TxQueueInfo(vsi, 0, 512, 0x7000_0000L), new RxQueueInfo(vsi, 0, 512, 2048, 9728, rx.iova())));
        for (var pair : bad) {
            assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_VSI_QUEUES, new VsiQueueConfig(vsi, List.of(pair)).encode()),
                    pair.toString());
        }
        byte[] truncated = new VsiQueueConfig(vsi, List.of(good)).encode();
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_VSI_QUEUES, java.util.Arrays.copyOf(truncated, 71)));
        assertEquals(0, model.rxRingLength(0), "nothing refused was applied");
        assertEquals(VirtchnlStatus.SUCCESS, status(VirtchnlOp.CONFIG_VSI_QUEUES, new VsiQueueConfig(vsi, List.of(good)).encode()));
        assertEquals(512, model.rxRingLength(0));
    }

    @Test
    void lutEntriesMustNameGrantedQueues() {
        activate();
        byte[] lut = RssLut.roundRobin(64, 4);
        lut[10] = 4;
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_RSS_LUT, new RssLut(VirtualPf.VSI_ID, lut).encode()));
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_RSS_LUT,
                new RssLut(VirtualPf.VSI_ID, RssLut.roundRobin(32, 4)).encode()), "the PF's LUT has 64 entries");
        assertEquals(VirtchnlStatus.SUCCESS, status(VirtchnlOp.CONFIG_RSS_LUT,
                new RssLut(VirtualPf.VSI_ID, RssLut.roundRobin(64, 4)).encode()));
    }

    @Test
    void multicastAddressesAreNotFilters() {
        activate();
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.ADD_ETH_ADDR,
                EtherAddressList.of(VirtualPf.VSI_ID, MacAddress.parse("01:00:5e:00:00:01")).encode()));
        assertEquals(VirtchnlStatus.SUCCESS, status(VirtchnlOp.ADD_ETH_ADDR,
                EtherAddressList.of(VirtualPf.VSI_ID, MacAddress.parse("02:00:00:00:00:07")).encode()));
        assertEquals(List.of(MacAddress.parse("02:00:00:00:00:07")), model.macFilters());
    }

    @Test
    void resetVfClearsTheMailboxAndRunsTheResetSequence() {
        activate();
        assertTrue(mailbox.send(VirtchnlOp.RESET_VF, new byte[0]));
        model.service(now += 100_000);
        assertEquals(Registers.VFR_INPROGRESS, model.read32(Registers.VFGEN_RSTAT) & Registers.RSTAT_MASK);
        assertFalse(mailbox.running(), "the reset cleared ATQLEN and ARQLEN");
        assertEquals(0, model.read32(Registers.VF_ARQBAL));
        mailbox.start();
        assertFalse(mailbox.running(), "register writes are lost while the reset is in progress");
        model.service(now += ModelSettings.DEFAULT.resetNanos());
        assertEquals(Registers.VFR_COMPLETED, model.read32(Registers.VFGEN_RSTAT) & Registers.RSTAT_MASK);
        model.service(now += 100_000);
        assertEquals(Registers.VFR_VFACTIVE, model.read32(Registers.VFGEN_RSTAT) & Registers.RSTAT_MASK);
        mailbox.start();
        assertTrue(mailbox.running());
        assertEquals(VirtchnlStatus.ERR_PARAM, status(VirtchnlOp.CONFIG_PROMISCUOUS_MODE, new byte[4]),
                "the PF forgot the VF: VERSION and GET_VF_RESOURCES first");
    }
}
