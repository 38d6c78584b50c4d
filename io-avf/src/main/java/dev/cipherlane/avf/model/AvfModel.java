package dev.cipherlane.avf.model;

import static dev.cipherlane.avf.device.Registers.*;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.avf.device.RxDescriptor;
import dev.cipherlane.avf.virtchnl.EthStats;
import dev.cipherlane.avf.virtchnl.IrqMap;
import dev.cipherlane.avf.virtchnl.PfEvent;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One AVF VF in software, with the PF behind it. The driver sees only {@link AvfDevice};
 * a test (or, later, a thread that owns the model) calls {@link #service(long)} to let the
 * device work: finish a reset that is due, carry mailbox messages both ways, send what the
 * transmit rings hold and write received frames into the receive rings.
 *
 * <p>VF reset (AVF 1.0 §6.1 pg51): VFGEN_RSTAT drops to VFR_INPROGRESS and the mailbox
 * and queue registers are cleared at once, so the VF sees ARQLEN's enable bit go; when
 * the PF is done RSTAT reads VFR_COMPLETED, then VFR_VFACTIVE, and the VF starts over
 * from VERSION. While the reset is in progress the VF's register writes are lost.
 */
public final class AvfModel implements AvfDevice {
    private enum Phase { ACTIVE, RESETTING, COMPLETED }

    private final ModelSettings settings;
    private final Wire wire;
    private final ModelMemory memory = new ModelMemory();
    private final ModelMailbox mailbox = new ModelMailbox();
    private final Misbehaviour faults = new Misbehaviour();
    private final ModelStats stats = new ModelStats();
    private final FlowHash flowHash = new FlowHash();
    private final VirtualPf pf;
    private final ModelRxQueue[] rx = new ModelRxQueue[MAX_QUEUES];
    private final ModelTxQueue[] tx = new ModelTxQueue[MAX_QUEUES];
    private final Arena scratch = Arena.ofShared();
    private final MemorySegment staging;
    private final MemorySegment assembly;

    private Phase phase = Phase.ACTIVE;
    private int rstat = VFR_VFACTIVE;
    private long now;
    private long resetDoneAt;
    private long resetAt = -1;
    private boolean linkUp = true;
    private long[] filters = new long[0];
    private long resets;
    private long maliciousDriverEvents;

    public AvfModel(Wire wire, ModelSettings settings) {
        this.settings = settings;
        this.wire = wire;
        this.pf = new VirtualPf(this, settings, mailbox, faults);
        for (int q = 0; q < MAX_QUEUES; q++) {
            rx[q] = new ModelRxQueue(q);
            tx[q] = new ModelTxQueue(q);
        }
        staging = scratch.allocate(MemoryWire.SLOT_SIZE, 64);
        assembly = scratch.allocate(MemoryWire.SLOT_SIZE, 64);
    }

    public AvfModel(Wire wire) {
        this(wire, ModelSettings.DEFAULT);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public int read32(int offset) {
        switch (offset) {
            case VFGEN_RSTAT: return rstat;
            case VF_ATQBAL: return mailbox.atqBaseLow;
            case VF_ATQBAH: return mailbox.atqBaseHigh;
            case VF_ATQLEN: return mailbox.atqLen;
            case VF_ATQH: return mailbox.atqHead;
            case VF_ATQT: return mailbox.atqTail;
            case VF_ARQBAL: return mailbox.arqBaseLow;
            case VF_ARQBAH: return mailbox.arqBaseHigh;
            case VF_ARQLEN: return mailbox.arqLen;
            case VF_ARQH: return mailbox.arqHead;
            case VF_ARQT: return mailbox.arqTail;
            default:
        }
        int q = tailQueue(offset, QTX_TAIL);
        if (q >= 0) {
            return tx[q].tail;
        }
        q = tailQueue(offset, QRX_TAIL);
        return q >= 0 ? rx[q].tail : 0;
    }

    @Override
    public void write32(int offset, int value) {
        if (phase == Phase.RESETTING) {
            return;
        }
        switch (offset) {
            case VF_ATQBAL -> mailbox.atqBaseLow = value;
            case VF_ATQBAH -> mailbox.atqBaseHigh = value;
            case VF_ATQLEN -> mailbox.atqLen = value;
            case VF_ATQH -> mailbox.atqHead = value & HEAD_MASK;
            case VF_ATQT -> mailbox.atqTail = value & HEAD_MASK;
            case VF_ARQBAL -> mailbox.arqBaseLow = value;
            case VF_ARQBAH -> mailbox.arqBaseHigh = value;
            case VF_ARQLEN -> mailbox.arqLen = value;
            case VF_ARQH -> mailbox.arqHead = value & HEAD_MASK;
            case VF_ARQT -> mailbox.arqTail = value & HEAD_MASK;
            default -> {
                int q = tailQueue(offset, QTX_TAIL);
                if (q >= 0) {
                    tx[q].tail = value;
                }
                q = tailQueue(offset, QRX_TAIL);
                if (q >= 0) {
                    rx[q].tail = value;
                }
            }
        }
    }

    private int tailQueue(int offset, int base) {
        int q = (offset - base) / 4;
        return offset >= base && offset % 4 == 0 && q < settings.queuePairs() ? q : -1;
    }

    @Override
    public DmaRegion allocateDma(long bytes) {
        return memory.allocate(bytes);
    }

    /** One round of device work at time {@code nowNanos}. */
    public void service(long nowNanos) {
        now = nowNanos;
        if (resetAt >= 0 && now >= resetAt) {
            resetAt = -1;
            beginReset();
        }
        if (phase == Phase.RESETTING) {
            if (faults.resetStuck || now < resetDoneAt) {
                return;
            }
            rstat = VFR_COMPLETED;
            phase = Phase.COMPLETED;
            return;
        }
        if (phase == Phase.COMPLETED) {
            rstat = VFR_VFACTIVE;
            phase = Phase.ACTIVE;
        }
        mailbox.service(memory, pf);
        if (phase != Phase.ACTIVE) {
            return;
        }
        transmit();
        receive();
    }

    /**
     * Only the transmit queues' work: what a doorbell just handed the device goes out now.
     * Nothing is taken from the wire, so no received frame is left in a descriptor that no
     * one looks at until the next {@link #service} (whose caller then polls the rings).
     */
    public void serviceTransmit(long nowNanos) {
        now = nowNanos;
        if (phase == Phase.ACTIVE) {
            transmit();
        }
    }

    /** Without link nothing leaves or arrives; queued descriptors wait for it. */
    private void transmit() {
        if (faults.txStalled || !linkUp) {
            return;
        }
        for (int q = 0; q < settings.queuePairs(); q++) {
            ModelTxQueue queue = tx[q];
            if (queue.enabled && !queue.process(memory, assembly, wire, stats, settings.txBudget())) {
                wire.flush();
                maliciousDriverEvents++;
                stats.txErrors++;
                beginReset();
                return;
            }
        }
        wire.flush();
    }

    private void receive() {
        if (!linkUp) {
            return;
        }
        for (int n = 0; n < settings.rxBudget(); n++) {
            int length = wire.receive(staging);
            if (length < 0) {
                return;
            }
            deliver(length);
        }
    }

    private void deliver(int length) {
        if (length < 14 || length > ModelSettings.MAX_FRAME) {
            stats.rxDiscards++;
            return;
        }
        if (!accepted(ModelStats.destination(staging))) {
            return;
        }
        int hash = flowHash.hash(staging, length);
        boolean rss = flowHash.valid();
        RssLut lut = pf.rssLut;
        int q = rss && lut != null ? lut.queue(Integer.remainderUnsigned(hash, lut.entries())) : 0;
        ModelRxQueue queue = rx[q];
        if (!queue.enabled || length > queue.maxPacketSize) {
            stats.rxDiscards++;
            return;
        }
        long errors = 0;
        if (faults.rxErrors > 0) {
            faults.rxErrors--;
            errors = RxDescriptor.ERROR_RXE;
        }
        if (queue.deliver(memory, staging, length, hash, rss, errors, !faults.rxDoneNeverSet)) {
            stats.received(staging, length);
        } else {
            stats.rxDiscards++;
        }
    }

    /** The VSI's MAC filter, as the PF's switch applies it. */
    private boolean accepted(long destination) {
        if (destination == 0xFFFF_FFFF_FFFFL) {
            return true;
        }
        if ((destination >>> 40 & 1) != 0) {
            return (pf.promiscuous & 2) != 0;
        }
        if ((pf.promiscuous & 1) != 0) {
            return true;
        }
        for (long f : filters) {
            if (f == destination) {
                return true;
            }
        }
        return false;
    }

    /** Starts a VF reset now: the VF asked for it, or the PF decided. */
    void beginReset() {
        resets++;
        phase = Phase.RESETTING;
        rstat = VFR_INPROGRESS;
        resetDoneAt = now + settings.resetNanos();
        mailbox.reset();
        for (int q = 0; q < MAX_QUEUES; q++) {
            rx[q].clear();
            tx[q].clear();
        }
        pf.reset();
        flowHash.key(null);
        filters = new long[0];
        faults.afterReset();
    }

    /**
     * The PF resets the VF on its own, as after a PF reset or a configuration change on the
     * host. With {@code warn} it first sends EVENT RESET_IMPENDING and resets a little later.
     */
    public void resetByPf(boolean warn) {
        if (warn && mailbox.receiveEnabled()) {
            pf.event(PfEvent.resetImpending());
            resetAt = faults.announcedResetsSkipped ? -1 : now + settings.warningNanos();
        } else {
            beginReset();
        }
    }

    /** The link goes up or down; the PF tells a VF that has been set up. */
    public void link(boolean up) {
        linkUp = up;
        if (pf.active) {
            pf.event(PfEvent.linkChange(up, up ? PfEvent.SPEED_40GB : 0));
        }
    }

    void rssKey(byte[] key) {
        flowHash.key(key);
    }

    void filtersChanged() {
        long[] f = new long[pf.macFilters.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = pf.macFilters.get(i).value();
        }
        filters = f;
    }

    ModelMemory memory() {
        return memory;
    }

    ModelStats stats() {
        return stats;
    }

    ModelRxQueue rxQueue(int q) {
        return rx[q];
    }

    ModelTxQueue txQueue(int q) {
        return tx[q];
    }

    // What tests look at.

    public Misbehaviour misbehave() {
        return faults;
    }

    public ModelSettings settings() {
        return settings;
    }

    public boolean linkUp() {
        return linkUp;
    }

    public long resets() {
        return resets;
    }

    public long maliciousDriverEvents() {
        return maliciousDriverEvents;
    }

    public EthStats ethStats() {
        return stats.snapshot();
    }

    public Version vfVersion() {
        return pf.vfVersion;
    }

    public int capabilitiesGranted() {
        return pf.capabilities;
    }

    public byte[] rssKeyConfigured() {
        return pf.rssKey == null ? null : pf.rssKey.clone();
    }

    public RssLut rssLut() {
        return pf.rssLut;
    }

    public IrqMap irqMap() {
        return pf.irqMap;
    }

    public List<MacAddress> macFilters() {
        return List.copyOf(pf.macFilters);
    }

    public int promiscuous() {
        return pf.promiscuous;
    }

    public boolean rxEnabled(int q) {
        return rx[q].enabled;
    }

    public boolean txEnabled(int q) {
        return tx[q].enabled;
    }

    public int rxRingLength(int q) {
        return rx[q].configured ? rx[q].ringLength : 0;
    }

    public int rxBufferSize(int q) {
        return rx[q].configured ? rx[q].bufferSize : 0;
    }

    /** Every virtchnl opcode the VF has sent, in order. */
    public List<VirtchnlOp> messagesReceived() {
        return List.copyOf(pf.received);
    }

    public int resetState() {
        return rstat;
    }

    @Override
    public void close() {
        memory.close();
        scratch.close();
    }
}
