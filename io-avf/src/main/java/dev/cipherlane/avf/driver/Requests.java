package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.EtherAddressList;
import dev.cipherlane.avf.virtchnl.IrqMap;
import dev.cipherlane.avf.virtchnl.Promiscuous;
import dev.cipherlane.avf.virtchnl.QueueSelect;
import dev.cipherlane.avf.virtchnl.RssKey;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.RxQueueInfo;
import dev.cipherlane.avf.virtchnl.TxQueueInfo;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VfResourceRequest;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VsiQueueConfig;
import java.util.ArrayList;
import java.util.List;

/** What the VF says in each request, from its settings, the grant and its rings. */
final class Requests {
    private Requests() {}

    /** Capabilities we ask for: L2, RSS configured by message, and polling instead of interrupts. */
    static final int WANTED = Capabilities.L2 | Capabilities.RSS_PF | Capabilities.RX_POLLING;

    /**
     * The body of {@code op}. VERSION and GET_VF_RESOURCES need no grant yet ({@code g} may
     * be null); a 1.0 PF gets GET_VF_RESOURCES without the capability word.
     */
    static byte[] of(VirtchnlOp op, AvfSettings s, Version pf, Grant g, RxRing[] rx, TxRing[] tx) {
        return switch (op) {
            case VERSION -> Version.V1_1.encode();
            case GET_VF_RESOURCES -> pf.minor() >= 1 ? new VfResourceRequest(WANTED).encode() : new byte[0];
            case CONFIG_RSS_KEY -> new RssKey(g.vsiId(), s.rssKeyOrDefault()).encode();
            case CONFIG_RSS_LUT -> new RssLut(g.vsiId(), s.rssLut() != null ? s.rssLut()
                    : RssLut.roundRobin(g.resources().rssLutSize(), g.queues())).encode();
            case CONFIG_VSI_QUEUES -> queues(s, g, rx, tx).encode();
            // Polling, we take no interrupts, but the PF wants every queue on a vector: vector 0.
            case CONFIG_IRQ_MAP -> new IrqMap(List.of(new IrqMap.VectorMap(g.vsiId(), 0, g.queueMask(), 0, 0, 0))).encode();
            case ADD_ETH_ADDR -> EtherAddressList.of(g.vsiId(), g.mac()).encode();
            case CONFIG_PROMISCUOUS_MODE -> new Promiscuous(g.vsiId(),
                    s.promiscuous() ? Promiscuous.UNICAST | Promiscuous.MULTICAST : 0).encode();
            case ENABLE_QUEUES, DISABLE_QUEUES, GET_STATS ->
                    new QueueSelect(g.vsiId(), g.queueMask(), g.queueMask()).encode();
            default -> throw new IllegalStateException("no request for " + op);
        };
    }

    private static VsiQueueConfig queues(AvfSettings s, Grant g, RxRing[] rx, TxRing[] tx) {
        List<VsiQueueConfig.Pair> pairs = new ArrayList<>(g.queues());
        for (int q = 0; q < g.queues(); q++) {
            pairs.add(new VsiQueueConfig.Pair(
                    new TxQueueInfo(g.vsiId(), q, tx[q].length, tx[q].ringAddress()),
                    new RxQueueInfo(g.vsiId(), q, rx[q].length, rx[q].bufferSize, s.maxFrameSize(), rx[q].ringAddress())));
        }
        return new VsiQueueConfig(g.vsiId(), pairs);
    }
}
