package dev.cipherlane.avf.virtchnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every message against the sizes and offsets of the virtchnl structures (no virtchnl.h
 * here, so they are written out from the spec's tables), round trips, and lengths refused
 * one byte either side, as a PF refuses them.
 */
class VirtchnlCodecTest {
    private static final MacAddress MAC = MacAddress.parse("02:a7:f0:00:00:01");

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The message decodes to itself, and one byte more or less is refused. */
    private static <T extends VirtchnlMessage> void strict(T m, Function<byte[], T> decode) {
        byte[] b = m.encode();
        assertEquals(m, decode.apply(b));
        assertThrows(VirtchnlFormatException.class, () -> decode.apply(Arrays.copyOf(b, b.length + 1)));
        assertThrows(VirtchnlFormatException.class, () -> decode.apply(Arrays.copyOf(b, b.length - 1)));
    }

    @Test
    void version() {
        Version v = Version.V1_1;
        assertEquals(8, v.encode().length);
        assertEquals(1, le(v.encode()).getInt(0));
        assertEquals(1, le(v.encode()).getInt(4));
        strict(v, Version::decode);
    }

    @Test
    void vfResourceWithOneVsi() {
        VfResource r = new VfResource(4, 5, 9706, Capabilities.L2 | Capabilities.RSS_PF, 52, 64,
                List.of(new VsiResource(19, 4, VsiResource.TYPE_SRIOV, 7, MAC)));
        byte[] b = r.encode();
        assertEquals(36, b.length, "sizeof(struct virtchnl_vf_resource) with its one inline VSI");
        ByteBuffer x = le(b);
        assertEquals(1, x.getShort(0), "num_vsis");
        assertEquals(4, x.getShort(2), "num_queue_pairs");
        assertEquals(5, x.getShort(4), "max_vectors");
        assertEquals(9706, x.getShort(6), "max_mtu");
        assertEquals(Capabilities.L2 | Capabilities.RSS_PF, x.getInt(8), "vf_cap_flags");
        assertEquals(52, x.getInt(12), "rss_key_size");
        assertEquals(64, x.getInt(16), "rss_lut_size");
        assertEquals(19, x.getShort(20), "vsi_res[0].vsi_id");
        assertEquals(4, x.getShort(22), "vsi_res[0].num_queue_pairs");
        assertEquals(6, x.getInt(24), "vsi_res[0].vsi_type");
        assertEquals(7, x.getShort(28), "vsi_res[0].qset_handle");
        assertEquals((byte) 0x02, b[30], "vsi_res[0].default_mac_addr, network order");
        assertEquals((byte) 0x01, b[35]);
        strict(r, VfResource::decode);
        assertEquals(r.vsis().get(0), r.sriovVsi());
    }

    @Test
    void vsiQueueConfig() {
        var pair = new VsiQueueConfig.Pair(new TxQueueInfo(19, 2, 512, 0x1_0000_1000L),
                new RxQueueInfo(19, 2, 1024, 2048, 9728, 0x1_0000_9000L));
        VsiQueueConfig c = new VsiQueueConfig(19, List.of(pair, pair));
        byte[] b = c.encode();
        assertEquals(8 + 2 * 64, b.length);
        ByteBuffer x = le(b);
        assertEquals(19, x.getShort(0));
        assertEquals(2, x.getShort(2), "num_queue_pairs");
        int tx = 8;
        assertEquals(19, x.getShort(tx), "txq.vsi_id");
        assertEquals(2, x.getShort(tx + 2), "txq.queue_id");
        assertEquals(512, x.getShort(tx + 4), "txq.ring_len");
        assertEquals(0x1_0000_1000L, x.getLong(tx + 8), "txq.dma_ring_addr");
        int rx = tx + 24;
        assertEquals(2, x.getShort(rx + 2), "rxq.queue_id");
        assertEquals(1024, x.getInt(rx + 4), "rxq.ring_len (u32)");
        assertEquals(2048, x.getInt(rx + 12), "rxq.databuffer_size");
        assertEquals(9728, x.getInt(rx + 16), "rxq.max_pkt_size");
        assertEquals(0x1_0000_9000L, x.getLong(rx + 24), "rxq.dma_ring_addr");
        assertEquals(64, rx + 40 - tx, "one queue pair is 64 bytes");
        strict(c, VsiQueueConfig::decode);
    }

    @Test
    void irqMap() {
        IrqMap m = new IrqMap(List.of(new IrqMap.VectorMap(19, 0, 0xF, 0, 0, 0), new IrqMap.VectorMap(19, 1, 0, 0xF, 1, 1)));
        byte[] b = m.encode();
        assertEquals(2 + 2 * 12, b.length);
        assertEquals(0xF, le(b).getShort(2 + 4), "vecmap[0].rxq_map");
        assertEquals(0xF, le(b).getShort(2 + 12 + 6), "vecmap[1].txq_map");
        strict(m, IrqMap::decode);
    }

    @Test
    void queueSelectForEnableDisableAndStats() {
        QueueSelect s = new QueueSelect(19, 0x3, 0x5);
        byte[] b = s.encode();
        assertEquals(12, b.length);
        assertEquals(0x3, le(b).getInt(4), "rx_queues");
        assertEquals(0x5, le(b).getInt(8), "tx_queues");
        for (VirtchnlOp op : List.of(VirtchnlOp.ENABLE_QUEUES, VirtchnlOp.DISABLE_QUEUES, VirtchnlOp.GET_STATS)) {
            strict(s, m -> QueueSelect.decode(op, m));
        }
    }

    @Test
    void etherAddressList() {
        EtherAddressList l = new EtherAddressList(19, List.of(new EtherAddressList.Entry(MAC, EtherAddressList.TYPE_PRIMARY),
                new EtherAddressList.Entry(MacAddress.parse("02:00:00:00:00:02"), EtherAddressList.TYPE_EXTRA)));
        byte[] b = l.encode();
        assertEquals(4 + 2 * 8, b.length);
        assertEquals(2, le(b).getShort(2), "num_elements");
        assertEquals((byte) 0x02, b[4]);
        assertEquals(1, b[10], "list[0].type");
        assertEquals(2, b[18], "list[1].type");
        strict(l, m -> EtherAddressList.decode(VirtchnlOp.ADD_ETH_ADDR, m));
    }

    @Test
    void promiscuous() {
        Promiscuous p = new Promiscuous(19, Promiscuous.UNICAST | Promiscuous.MULTICAST);
        assertEquals(4, p.encode().length);
        assertEquals(3, le(p.encode()).getShort(2));
        strict(p, Promiscuous::decode);
    }

    @Test
    void ethStats() {
        EthStats s = new EthStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        byte[] b = s.encode();
        assertEquals(96, b.length);
        assertEquals(5, le(b).getLong(32), "rx_discards");
        assertEquals(12, le(b).getLong(88), "tx_errors");
        strict(s, EthStats::decode);
        assertEquals(2 + 3 + 4, s.rxPackets());
    }

    @Test
    void rssKeyAndLutCarryTheStructsPadding() {
        byte[] key = new byte[52];
        Arrays.fill(key, (byte) 0x6D);
        RssKey k = new RssKey(19, key);
        assertEquals(6 + 52 - 1, k.encode().length, "sizeof(struct virtchnl_rss_key) + key_len - 1");
        assertEquals(52, le(k.encode()).getShort(2));
        strict(k, RssKey::decode);
        RssLut l = new RssLut(19, RssLut.roundRobin(64, 4));
        assertEquals(6 + 64 - 1, l.encode().length);
        assertArrayEquals(new byte[] {0, 1, 2, 3}, Arrays.copyOfRange(l.encode(), 4, 8));
        strict(l, RssLut::decode);
    }

    @Test
    void events() {
        PfEvent link = PfEvent.linkChange(true, PfEvent.SPEED_40GB);
        byte[] b = link.encode();
        assertEquals(16, b.length);
        assertEquals(PfEvent.LINK_CHANGE, le(b).getInt(0));
        assertEquals(PfEvent.SPEED_40GB, le(b).getInt(4));
        assertEquals(1, b[8], "link_status");
        strict(link, PfEvent::decode);
        PfEvent reset = PfEvent.resetImpending();
        assertEquals(PfEvent.RESET_IMPENDING, PfEvent.decode(reset.encode()).event());
        assertEquals(255, le(reset.encode()).getInt(12), "severity: certain doom");
        assertEquals(40_000, PfEvent.speedMbps(PfEvent.SPEED_40GB));
    }

    @Test
    void opcodesAndStatuses() {
        assertEquals(1, VirtchnlOp.VERSION.code);
        assertEquals(2, VirtchnlOp.RESET_VF.code);
        assertEquals(3, VirtchnlOp.GET_VF_RESOURCES.code);
        assertEquals(6, VirtchnlOp.CONFIG_VSI_QUEUES.code);
        assertEquals(7, VirtchnlOp.CONFIG_IRQ_MAP.code);
        assertEquals(8, VirtchnlOp.ENABLE_QUEUES.code);
        assertEquals(9, VirtchnlOp.DISABLE_QUEUES.code);
        assertEquals(10, VirtchnlOp.ADD_ETH_ADDR.code);
        assertEquals(14, VirtchnlOp.CONFIG_PROMISCUOUS_MODE.code);
        assertEquals(15, VirtchnlOp.GET_STATS.code);
        assertEquals(17, VirtchnlOp.EVENT.code);
        assertEquals(23, VirtchnlOp.CONFIG_RSS_KEY.code);
        assertEquals(24, VirtchnlOp.CONFIG_RSS_LUT.code);
        assertEquals(VirtchnlOp.UNKNOWN, VirtchnlOp.of(99));
        assertEquals(VirtchnlOp.UNKNOWN, VirtchnlOp.of(-1));
        assertEquals("VIRTCHNL_STATUS_ERR_PARAM (-5)", VirtchnlStatus.name(-5));
        assertTrue(VirtchnlStatus.name(-64).contains("NOT_SUPPORTED"));
    }

    @Test
    void countedArraysMustMatchTheirCount() {
        byte[] b = new VsiQueueConfig(19, List.of()).encode();
        b[2] = 1; // claims one pair, carries none
        assertThrows(VirtchnlFormatException.class, () -> VsiQueueConfig.decode(b));
        byte[] k = new RssKey(19, new byte[52]).encode();
        k[2] = 40;
        assertThrows(VirtchnlFormatException.class, () -> RssKey.decode(k));
    }
}
