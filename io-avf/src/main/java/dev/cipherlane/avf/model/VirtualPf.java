package dev.cipherlane.avf.model;

import static dev.cipherlane.avf.virtchnl.VirtchnlStatus.ERR_NOT_SUPPORTED;
import static dev.cipherlane.avf.virtchnl.VirtchnlStatus.ERR_PARAM;
import static dev.cipherlane.avf.virtchnl.VirtchnlStatus.SUCCESS;

import dev.cipherlane.avf.device.RxDescriptor;
import dev.cipherlane.avf.device.TxDescriptor;
import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.EtherAddressList;
import dev.cipherlane.avf.virtchnl.IrqMap;
import dev.cipherlane.avf.virtchnl.PfEvent;
import dev.cipherlane.avf.virtchnl.Promiscuous;
import dev.cipherlane.avf.virtchnl.QueueSelect;
import dev.cipherlane.avf.virtchnl.RssKey;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VfResource;
import dev.cipherlane.avf.virtchnl.VfResourceRequest;
import dev.cipherlane.avf.virtchnl.VirtchnlFormatException;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VsiQueueConfig;
import dev.cipherlane.avf.virtchnl.VsiResource;
import dev.cipherlane.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The PF's handling of one VF's virtchnl messages. Like a PF it trusts nothing: a message
 * of the wrong length, for another VSI, naming a queue the VF does not have, a ring that
 * is not whole in the VF's DMA memory, or sent before VERSION and GET_VF_RESOURCES is
 * answered with VIRTCHNL_STATUS_ERR_PARAM and changes nothing; a bad length is answered
 * the same way as bad content. An opcode it does not implement gets ERR_NOT_SUPPORTED.
 * RESET_VF has no answer: the reset is the answer.
 */
final class VirtualPf implements ModelMailbox.Pf {
    static final int VSI_ID = 19;
    static final int GRANTABLE = Capabilities.L2 | Capabilities.RSS_PF | Capabilities.RX_POLLING
            | Capabilities.RSS_AQ | Capabilities.WB_ON_ITR;
    private static final int MAX_MAC_FILTERS = 16;

    private final AvfModel model;
    private final ModelSettings settings;
    private final ModelMailbox mailbox;
    private final Misbehaviour faults;

    Version vfVersion;
    boolean active;
    int capabilities;
    byte[] rssKey;
    RssLut rssLut;
    IrqMap irqMap;
    final List<MacAddress> macFilters = new ArrayList<>();
    int promiscuous;
    private boolean linkAnnounced;
    final List<VirtchnlOp> received = new ArrayList<>();

    VirtualPf(AvfModel model, ModelSettings settings, ModelMailbox mailbox, Misbehaviour faults) {
        this.model = model;
        this.settings = settings;
        this.mailbox = mailbox;
        this.faults = faults;
    }

    /** A VF reset forgets everything the VF configured. */
    void reset() {
        vfVersion = null;
        active = false;
        capabilities = 0;
        rssKey = null;
        rssLut = null;
        irqMap = null;
        macFilters.clear();
        promiscuous = 0;
        linkAnnounced = false;
    }

    void send(VirtchnlOp op, int status, byte[] body) {
        mailbox.post(op.code, status, body);
    }

    void event(PfEvent event) {
        send(VirtchnlOp.EVENT, SUCCESS, event.encode());
    }

    @Override
    public void message(int code, byte[] body) {
        VirtchnlOp op = VirtchnlOp.of(code);
        received.add(op);
        if (op == VirtchnlOp.RESET_VF) {
            if (!faults.resetRequestsIgnored) {
                model.beginReset();
            }
            return;
        }
        if (faults.noReply.contains(op)) {
            return;
        }
        if (faults.eventBeforeReply.contains(op)) {
            event(PfEvent.linkChange(true, PfEvent.SPEED_40GB));
        }
        Integer forced = faults.failures.get(op);
        if (forced != null) {
            send(op, forced, new byte[0]);
            return;
        }
        byte[] reply = new byte[0];
        int status;
        try {
            status = switch (op) {
                case VERSION -> version(body);
                case GET_VF_RESOURCES -> SUCCESS;
                case UNKNOWN, EVENT -> ERR_NOT_SUPPORTED;
                default -> active ? SUCCESS : ERR_PARAM;
            };
            if (status == SUCCESS) {
                switch (op) {
                    case VERSION -> reply = settings.pfVersion().encode();
                    case GET_VF_RESOURCES -> reply = resources(body);
                    case CONFIG_RSS_KEY -> status = rssKey(RssKey.decode(body));
                    case CONFIG_RSS_LUT -> status = rssLut(RssLut.decode(body));
                    case CONFIG_VSI_QUEUES -> status = queues(VsiQueueConfig.decode(body));
                    case CONFIG_IRQ_MAP -> status = irqMap(IrqMap.decode(body));
                    case ENABLE_QUEUES -> status = enable(QueueSelect.decode(op, body), true);
                    case DISABLE_QUEUES -> status = enable(QueueSelect.decode(op, body), false);
                    case ADD_ETH_ADDR -> status = addAddresses(EtherAddressList.decode(op, body));
                    case DEL_ETH_ADDR -> status = deleteAddresses(EtherAddressList.decode(op, body));
                    case CONFIG_PROMISCUOUS_MODE -> status = promiscuous(Promiscuous.decode(body));
                    case GET_STATS -> {
                        status = QueueSelect.decode(op, body).vsiId() == VSI_ID ? SUCCESS : ERR_PARAM;
                        reply = status == SUCCESS ? model.stats().snapshot().encode() : reply;
                    }
                    default -> status = ERR_NOT_SUPPORTED;
                }
            }
        } catch (VirtchnlFormatException e) {
            status = ERR_PARAM;
            reply = new byte[0];
        }
        send(op, status, status == SUCCESS ? reply : new byte[0]);
        if (op == VirtchnlOp.ENABLE_QUEUES && status == SUCCESS && !linkAnnounced) {
            linkAnnounced = true;
            event(PfEvent.linkChange(model.linkUp(), PfEvent.SPEED_40GB));
        }
    }

    private int version(byte[] body) {
        Version v = Version.decode(body);
        if (v.major() != 1) {
            return ERR_PARAM;
        }
        vfVersion = v;
        return SUCCESS;
    }

    private byte[] resources(byte[] body) {
        if (vfVersion == null) {
            throw new VirtchnlFormatException(VirtchnlOp.GET_VF_RESOURCES, "before VERSION");
        }
        int wanted;
        if (Math.min(vfVersion.minor(), settings.pfVersion().minor()) == 0) {
            if (body.length != 0) {
                throw new VirtchnlFormatException(VirtchnlOp.GET_VF_RESOURCES, "a 1.0 VF sends no body");
            }
            wanted = Capabilities.L2 | Capabilities.RSS_REG;
        } else {
            wanted = VfResourceRequest.decode(body).capabilities();
        }
        capabilities = wanted & GRANTABLE | Capabilities.L2;
        active = true;
        VsiResource vsi = new VsiResource(VSI_ID, settings.queuePairs(), VsiResource.TYPE_SRIOV, 0, settings.mac());
        return new VfResource(settings.queuePairs(), ModelSettings.MAX_VECTORS, ModelSettings.MAX_MTU, capabilities,
                ModelSettings.RSS_KEY_SIZE, ModelSettings.RSS_LUT_SIZE, List.of(vsi)).encode();
    }

    private int rssKey(RssKey key) {
        if (key.vsiId() != VSI_ID || key.key().length != ModelSettings.RSS_KEY_SIZE) {
            return ERR_PARAM;
        }
        rssKey = key.key();
        model.rssKey(rssKey);
        return SUCCESS;
    }

    private int rssLut(RssLut lut) {
        if (lut.vsiId() != VSI_ID || lut.entries() != ModelSettings.RSS_LUT_SIZE) {
            return ERR_PARAM;
        }
        for (int i = 0; i < lut.entries(); i++) {
            if (lut.queue(i) >= settings.queuePairs()) {
                return ERR_PARAM;
            }
        }
        rssLut = lut;
        return SUCCESS;
    }

    private int queues(VsiQueueConfig config) {
        int n = config.pairs().size();
        if (config.vsiId() != VSI_ID || n == 0 || n > settings.queuePairs()) {
            return ERR_PARAM;
        }
        MemorySegment[] txRings = new MemorySegment[n];
        MemorySegment[] rxRings = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            var tx = config.pairs().get(i).tx();
            var rx = config.pairs().get(i).rx();
            int q = tx.queueId();
            if (tx.vsiId() != VSI_ID || rx.vsiId() != VSI_ID || rx.queueId() != q || q >= settings.queuePairs()
                    || model.txQueue(q).enabled || model.rxQueue(q).enabled) {
                return ERR_PARAM;
            }
            // Ring lengths: tx a multiple of 8, rx a multiple of 32 (AVF 1.0 pg79), both at most 4096.
            if (tx.ringLength() < 8 || tx.ringLength() > 4096 || tx.ringLength() % 8 != 0
                    || rx.ringLength() < 32 || rx.ringLength() > 4096 || rx.ringLength() % 32 != 0) {
                return ERR_PARAM;
            }
            // Receive buffers come in 128-byte units, up to 16 KiB - 128.
            if (rx.bufferSize() < 1024 || rx.bufferSize() > 16 * 1024 - 128 || rx.bufferSize() % 128 != 0
                    || rx.maxPacketSize() < 64 || rx.maxPacketSize() > ModelSettings.MAX_FRAME) {
                return ERR_PARAM;
            }
            if (tx.ringAddress() % 128 != 0 || rx.ringAddress() % 128 != 0) {
                return ERR_PARAM;
            }
            txRings[i] = model.memory().slice(tx.ringAddress(), (long) tx.ringLength() * TxDescriptor.SIZE);
            rxRings[i] = model.memory().slice(rx.ringAddress(), (long) rx.ringLength() * RxDescriptor.SIZE);
            if (txRings[i] == null || rxRings[i] == null) {
                return ERR_PARAM;
            }
        }
        for (int i = 0; i < n; i++) {
            var pair = config.pairs().get(i);
            int q = pair.tx().queueId();
            model.txQueue(q).configure(txRings[i], pair.tx().ringLength());
            model.rxQueue(q).configure(rxRings[i], pair.rx().ringLength(), pair.rx().bufferSize(), pair.rx().maxPacketSize());
        }
        return SUCCESS;
    }

    private int irqMap(IrqMap map) {
        if (map.vectors().isEmpty() || map.vectors().size() > ModelSettings.MAX_VECTORS) {
            return ERR_PARAM;
        }
        int all = (1 << settings.queuePairs()) - 1;
        for (IrqMap.VectorMap v : map.vectors()) {
            if (v.vsiId() != VSI_ID || v.vectorId() >= ModelSettings.MAX_VECTORS
                    || (v.rxQueues() & ~all) != 0 || (v.txQueues() & ~all) != 0 || v.rxItr() > 3 || v.txItr() > 3) {
                return ERR_PARAM;
            }
        }
        irqMap = map;
        return SUCCESS;
    }

    private int enable(QueueSelect select, boolean on) {
        int all = (1 << settings.queuePairs()) - 1;
        if (select.vsiId() != VSI_ID || (select.rxQueues() | select.txQueues()) == 0
                || (select.rxQueues() & ~all) != 0 || (select.txQueues() & ~all) != 0) {
            return ERR_PARAM;
        }
        for (int q = 0; q < settings.queuePairs(); q++) {
            if ((select.rxQueues() >>> q & 1) != 0 && !model.rxQueue(q).configured
                    || (select.txQueues() >>> q & 1) != 0 && !model.txQueue(q).configured) {
                return ERR_PARAM;
            }
        }
        for (int q = 0; q < settings.queuePairs(); q++) {
            if ((select.rxQueues() >>> q & 1) != 0) {
                ModelRxQueue rx = model.rxQueue(q);
                rx.enabled = on;
                rx.head = 0;
            }
            if ((select.txQueues() >>> q & 1) != 0) {
                ModelTxQueue tx = model.txQueue(q);
                tx.enabled = on;
                tx.head = tx.tail;
            }
        }
        return SUCCESS;
    }

    private int addAddresses(EtherAddressList list) {
        if (list.vsiId() != VSI_ID || list.addresses().isEmpty()
                || macFilters.size() + list.addresses().size() > MAX_MAC_FILTERS) {
            return ERR_PARAM;
        }
        for (EtherAddressList.Entry e : list.addresses()) {
            if (e.mac().value() == 0 || e.mac().isMulticast() || e.type() > EtherAddressList.TYPE_EXTRA) {
                return ERR_PARAM;
            }
        }
        for (EtherAddressList.Entry e : list.addresses()) {
            if (!macFilters.contains(e.mac())) {
                macFilters.add(e.mac());
            }
        }
        model.filtersChanged();
        return SUCCESS;
    }

    private int deleteAddresses(EtherAddressList list) {
        if (list.vsiId() != VSI_ID || list.addresses().isEmpty()) {
            return ERR_PARAM;
        }
        for (EtherAddressList.Entry e : list.addresses()) {
            macFilters.remove(e.mac());
        }
        model.filtersChanged();
        return SUCCESS;
    }

    private int promiscuous(Promiscuous p) {
        if (p.vsiId() != VSI_ID || (p.flags() & ~(Promiscuous.UNICAST | Promiscuous.MULTICAST)) != 0) {
            return ERR_PARAM;
        }
        promiscuous = p.flags();
        return SUCCESS;
    }
}
