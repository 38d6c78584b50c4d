package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.EthStats;
import dev.cipherlane.avf.virtchnl.EtherAddressList;
import dev.cipherlane.avf.virtchnl.IrqMap;
import dev.cipherlane.avf.virtchnl.PfEvent;
import dev.cipherlane.avf.virtchnl.Promiscuous;
import dev.cipherlane.avf.virtchnl.QueueSelect;
import dev.cipherlane.avf.virtchnl.RssKey;
import dev.cipherlane.avf.virtchnl.RssLut;
import dev.cipherlane.avf.virtchnl.RxQueueInfo;
import dev.cipherlane.avf.virtchnl.TxQueueInfo;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VfResource;
import dev.cipherlane.avf.virtchnl.VfResourceRequest;
import dev.cipherlane.avf.virtchnl.VirtchnlFormatException;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VirtchnlStatus;
import dev.cipherlane.avf.virtchnl.VsiQueueConfig;
import dev.cipherlane.avf.virtchnl.VsiResource;
import dev.cipherlane.net.MacAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The VF's control path as a state machine that {@link #poll(long)} advances.
 *
 * <p>Bring-up follows the AVF driver flow (AVF 1.0 §6.1 and the virtchnl chapter): wait
 * until VFGEN_RSTAT says the VF is usable, start the mailbox, ask for a clean slate with
 * RESET_VF, wait for the reset to begin (the mailbox's enable bits drop) and to end
 * (RSTAT completed or active), start the mailbox again, then one request at a time:
 * VERSION, GET_VF_RESOURCES, CONFIG_RSS_KEY and CONFIG_RSS_LUT (when the PF does RSS for
 * us), CONFIG_VSI_QUEUES, CONFIG_IRQ_MAP, ADD_ETH_ADDR, CONFIG_PROMISCUOUS_MODE,
 * ENABLE_QUEUES and a first GET_STATS. Each waits for its reply with a deadline; events
 * that come in between are handled and the wait goes on.
 *
 * <p>Running, it watches for a reset (mailbox disabled, RSTAT in progress, or an EVENT
 * RESET_IMPENDING), fetches statistics every {@code statsInterval}, and watches the rings:
 * a transmit queue whose descriptors stay outstanding past {@code txHangTimeout}, or a
 * receive side where the PF counts frames delivered and no descriptor ever completes, is
 * wedged, and we reset the VF ourselves. After any reset the handshake runs again and the
 * rings are rebuilt; a deadline passed anywhere ends in {@link VfState#FAILED} with a
 * message naming what did not happen.
 */
public final class VfControl {
    private static final int WANTED = Capabilities.L2 | Capabilities.RSS_PF | Capabilities.RX_POLLING;

    private final AvfDevice device;
    private final AvfSettings settings;
    private final AdminQueue mailbox;
    private final long replyNanos;
    private final long resetNanos;
    private final long statsNanos;
    private final long txHangNanos;

    private VfState state = VfState.STOPPED;
    private String failure;
    private long now;
    private long deadline;
    private boolean resetAskedByUs;

    private final ArrayDeque<VirtchnlOp> plan = new ArrayDeque<>();
    private VirtchnlOp awaiting;
    private long replyDeadline;

    private Version pfVersion;
    private VfResource resources;
    private VsiResource vsi;
    private int queues;
    private MacAddress mac;
    private RxRing[] rx = new RxRing[0];
    private TxRing[] tx = new TxRing[0];

    private boolean linkUp;
    private int linkSpeedMbps;
    private EthStats stats = EthStats.ZERO;
    private long nextStatsAt;
    private boolean statsPending;
    private long statsDeadline;
    private long lastDeviceRx;
    private long lastRxDescriptors;
    private int rxStalls;
    private long[] txLastDone = new long[0];
    private long[] txProgressAt = new long[0];

    private long resetsSeen;
    private long recoveries;
    private boolean everRunning;
    private long events;
    private long unexpected;
    private String lastResetReason;
    private final List<String> log = new ArrayList<>();

    public VfControl(AvfDevice device, AvfSettings settings) {
        this.device = device;
        this.settings = settings;
        this.mailbox = new AdminQueue(device);
        this.replyNanos = settings.replyTimeout().toNanos();
        this.resetNanos = settings.resetTimeout().toNanos();
        this.statsNanos = settings.statsInterval().toNanos();
        this.txHangNanos = settings.txHangTimeout().toNanos();
    }

    /** Begins bring-up from any state; the first step happens at the next poll. */
    public void start(long nowNanos) {
        now = nowNanos;
        failure = null;
        plan.clear();
        awaiting = null;
        enter(VfState.WAIT_READY, now + resetNanos);
    }

    /**
     * Stops the VF: a running one is asked to DISABLE_QUEUES first, so the device stops
     * writing into memory that is about to be freed, and the mailbox is shut once the PF
     * answers or the reply deadline passes. Poll until {@link VfState#STOPPED}.
     */
    public void stop(long nowNanos) {
        now = nowNanos;
        if (state == VfState.RUNNING && mailbox.send(VirtchnlOp.DISABLE_QUEUES, request(VirtchnlOp.DISABLE_QUEUES))) {
            enter(VfState.STOPPING, now + replyNanos);
            return;
        }
        halt();
    }

    /** Shuts the mailbox now, asking the PF nothing. */
    public void halt() {
        mailbox.stop();
        enter(VfState.STOPPED, 0);
    }

    private void stopping() {
        PfMessage m;
        while ((m = mailbox.receive()) != null) {
            if (m.op() == VirtchnlOp.DISABLE_QUEUES) {
                if (m.status() != VirtchnlStatus.SUCCESS) {
                    note("the PF refused DISABLE_QUEUES with " + VirtchnlStatus.name(m.status()));
                }
                halt();
                return;
            }
        }
        if (resetBegun() || now - deadline > 0) {
            halt(); // a reset disables the queues as well
        }
    }

    /**
     * Advances the state machine. Running, it reads four registers when nothing happens
     * (uncached reads over PCIe take about a microsecond each), so once a millisecond or
     * so is plenty; deadlines are hundreds of milliseconds or more.
     */
    public VfState poll(long nowNanos) {
        now = nowNanos;
        switch (state) {
            case STOPPED, FAILED -> { }
            case WAIT_READY -> waitReady();
            case STOPPING -> stopping();
            case WAIT_RESET_START -> waitResetStart();
            case WAIT_RESET_DONE -> waitResetDone();
            case HANDSHAKE -> {
                if (!resetDetected()) {
                    drainMailbox();
                    if (state == VfState.HANDSHAKE && awaiting != null && now - replyDeadline > 0) {
                        fail("no reply to " + awaiting + " from the PF within " + ms(replyNanos));
                    }
                }
            }
            case RUNNING -> running();
        }
        return state;
    }

    // Reset and bring-up.

    private void waitReady() {
        int rstat = device.read32(Registers.VFGEN_RSTAT);
        if (Registers.resetDone(rstat)) {
            mailbox.start();
            requestReset("bring-up");
        } else if (now - deadline > 0) {
            fail("VF " + device.name() + " not ready within " + ms(resetNanos) + ": VFGEN_RSTAT reads "
                    + Registers.resetStateName(rstat));
        }
    }

    private void requestReset(String reason) {
        lastResetReason = reason;
        resetAskedByUs = true;
        note("reset requested: " + reason);
        if (!mailbox.send(VirtchnlOp.RESET_VF, new byte[0])) {
            note("mailbox full; waiting for the PF to reset us anyway");
        }
        enter(VfState.WAIT_RESET_START, now + resetNanos);
    }

    private void waitResetStart() {
        if (resetBegun()) {
            enter(VfState.WAIT_RESET_DONE, now + resetNanos);
            return;
        }
        drainMailbox();
        if (state == VfState.WAIT_RESET_START && now - deadline > 0) {
            if (!resetAskedByUs) {
                // The PF announced a reset and never did it: ask for one ourselves, once.
                requestReset("the PF announced a reset that never came");
            } else {
                fail("VF reset requested but not begun within " + ms(resetNanos) + ": the mailbox stays enabled");
            }
        }
    }

    private boolean resetBegun() {
        int rstat = device.read32(Registers.VFGEN_RSTAT);
        return !Registers.resetDone(rstat) || !mailbox.running();
    }

    private void waitResetDone() {
        int rstat = device.read32(Registers.VFGEN_RSTAT);
        if (Registers.resetDone(rstat)) {
            resetsSeen++;
            mailbox.start();
            beginHandshake();
        } else if (now - deadline > 0) {
            fail("VF reset did not complete within " + ms(resetNanos) + ": VFGEN_RSTAT stays "
                    + Registers.resetStateName(rstat));
        }
    }

    /** A reset we did not ask for: the PF's, or after a fault it detected. */
    private boolean resetDetected() {
        if (!resetBegun()) {
            return false;
        }
        lastResetReason = "the PF reset the VF";
        note("reset detected in " + state);
        resetAskedByUs = false;
        enter(VfState.WAIT_RESET_DONE, now + resetNanos);
        return true;
    }

    // Handshake.

    private void beginHandshake() {
        plan.clear();
        plan.add(VirtchnlOp.VERSION);
        plan.add(VirtchnlOp.GET_VF_RESOURCES);
        enter(VfState.HANDSHAKE, now);
        sendNext();
    }

    private void sendNext() {
        VirtchnlOp op = plan.poll();
        if (op == null) {
            awaiting = null;
            toRunning();
            return;
        }
        byte[] body = request(op);
        if (!mailbox.send(op, body)) {
            fail("mailbox full sending " + op);
            return;
        }
        awaiting = op;
        replyDeadline = now + replyNanos;
    }

    private byte[] request(VirtchnlOp op) {
        int vsiId = vsi == null ? 0 : vsi.vsiId();
        int mask = (1 << queues) - 1;
        return switch (op) {
            case VERSION -> Version.V1_1.encode();
            case GET_VF_RESOURCES -> pfVersion.minor() >= 1 ? new VfResourceRequest(WANTED).encode() : new byte[0];
            case CONFIG_RSS_KEY -> new RssKey(vsiId, settings.rssKeyOrDefault()).encode();
            case CONFIG_RSS_LUT -> new RssLut(vsiId, lut()).encode();
            case CONFIG_VSI_QUEUES -> queueConfig(vsiId).encode();
            case CONFIG_IRQ_MAP -> new IrqMap(List.of(new IrqMap.VectorMap(vsiId, 0, mask, 0, 0, 0))).encode();
            case ADD_ETH_ADDR -> EtherAddressList.of(vsiId, mac).encode();
            case CONFIG_PROMISCUOUS_MODE -> new Promiscuous(vsiId,
                    settings.promiscuous() ? Promiscuous.UNICAST | Promiscuous.MULTICAST : 0).encode();
            case ENABLE_QUEUES, DISABLE_QUEUES, GET_STATS -> new QueueSelect(vsiId, mask, mask).encode();
            default -> throw new IllegalStateException("no request for " + op);
        };
    }

    private byte[] lut() {
        byte[] lut = settings.rssLut();
        if (lut == null) {
            return RssLut.roundRobin(resources.rssLutSize(), queues);
        }
        return lut;
    }

    private VsiQueueConfig queueConfig(int vsiId) {
        List<VsiQueueConfig.Pair> pairs = new ArrayList<>(queues);
        for (int q = 0; q < queues; q++) {
            pairs.add(new VsiQueueConfig.Pair(
                    new TxQueueInfo(vsiId, q, tx[q].length, tx[q].ringAddress()),
                    new RxQueueInfo(vsiId, q, rx[q].length, rx[q].bufferSize, settings.maxFrameSize(), rx[q].ringAddress())));
        }
        return new VsiQueueConfig(vsiId, pairs);
    }

    private void reply(PfMessage m) {
        VirtchnlOp op = awaiting;
        if (m.status() != VirtchnlStatus.SUCCESS) {
            fail("the PF refused " + op + " with " + VirtchnlStatus.name(m.status()));
            return;
        }
        try {
            switch (op) {
                case VERSION -> {
                    pfVersion = Version.decode(m.body());
                    if (pfVersion.major() != 1) {
                        fail("the PF speaks virtchnl " + pfVersion + "; this driver speaks " + Version.V1_1);
                        return;
                    }
                }
                case GET_VF_RESOURCES -> {
                    if (!resources(VfResource.decode(m.body()))) {
                        return;
                    }
                }
                case ENABLE_QUEUES -> {
                    for (int q = 0; q < queues; q++) {
                        rx[q].start();
                    }
                }
                case GET_STATS -> stats = EthStats.decode(m.body());
                default -> { }
            }
        } catch (VirtchnlFormatException e) {
            fail("malformed reply from the PF: " + e.getMessage());
            return;
        }
        sendNext();
    }

    private boolean resources(VfResource r) {
        VsiResource v = r.sriovVsi();
        if (v == null) {
            fail("the PF gave the VF no SR-IOV VSI: " + r.vsis());
            return false;
        }
        if ((r.capabilities() & Capabilities.L2) == 0) {
            fail("the PF did not grant basic L2 operation (capabilities 0x" + Integer.toHexString(r.capabilities()) + ")");
            return false;
        }
        int n = Math.min(settings.queues(), Math.min(r.numQueuePairs(), v.numQueuePairs()));
        if (n < 1) {
            fail("the PF gave the VF no queue pairs");
            return false;
        }
        boolean rss = (r.capabilities() & Capabilities.RSS_BY_MESSAGE) != 0;
        if (rss) {
            byte[] lut = settings.rssLut();
            if (settings.rssKeyOrDefault().length != r.rssKeySize()) {
                fail("the PF's RSS key is " + r.rssKeySize() + " bytes; the settings give "
                        + settings.rssKeyOrDefault().length);
                return false;
            }
            if (lut != null && lut.length != r.rssLutSize()) {
                fail("the PF's RSS LUT has " + r.rssLutSize() + " entries; the settings give " + lut.length);
                return false;
            }
            if (lut != null) {
                for (byte e : lut) {
                    if ((e & 0xFF) >= n) {
                        fail("the RSS LUT names queue " + (e & 0xFF) + " of " + n);
                        return false;
                    }
                }
            }
        } else if (n > 1) {
            note("the PF does not let us configure RSS; using one queue");
            n = 1;
        }
        resources = r;
        vsi = v;
        queues = n;
        mac = settings.mac() != null ? settings.mac() : v.defaultMac();
        buildRings();
        if (rss) {
            plan.add(VirtchnlOp.CONFIG_RSS_KEY);
            plan.add(VirtchnlOp.CONFIG_RSS_LUT);
        }
        plan.add(VirtchnlOp.CONFIG_VSI_QUEUES);
        plan.add(VirtchnlOp.CONFIG_IRQ_MAP);
        plan.add(VirtchnlOp.ADD_ETH_ADDR);
        plan.add(VirtchnlOp.CONFIG_PROMISCUOUS_MODE);
        plan.add(VirtchnlOp.ENABLE_QUEUES);
        plan.add(VirtchnlOp.GET_STATS);
        return true;
    }

    /** Rings are allocated once per queue and reset to empty on every handshake. */
    private void buildRings() {
        if (rx.length < queues) {
            RxRing[] newRx = Arrays.copyOf(rx, queues);
            TxRing[] newTx = Arrays.copyOf(tx, queues);
            for (int q = rx.length; q < queues; q++) {
                newRx[q] = new RxRing(device, q, settings.rxRingSize(), settings.rxBufferSize(), settings.refillBatch());
                newTx[q] = new TxRing(device, q, settings.txRingSize(), settings.maxFrameSize());
            }
            rx = newRx;
            tx = newTx;
        }
        for (int q = 0; q < queues; q++) {
            rx[q].reset();
            tx[q].reset();
        }
    }

    private void toRunning() {
        if (everRunning) {
            recoveries++;
        }
        everRunning = true;
        txLastDone = new long[queues];
        txProgressAt = new long[queues];
        Arrays.fill(txProgressAt, now);
        lastDeviceRx = stats.rxPackets();
        lastRxDescriptors = rxDescriptorsDone();
        rxStalls = 0;
        statsPending = false;
        nextStatsAt = now + statsNanos;
        note("running with " + queues + " queue pairs, MAC " + mac);
        enter(VfState.RUNNING, 0);
    }

    // Running.

    private void running() {
        if (resetDetected()) {
            return;
        }
        drainMailbox();
        if (state != VfState.RUNNING) {
            return;
        }
        if (statsPending && now - statsDeadline > 0) {
            requestReset("no reply to GET_STATS within " + ms(replyNanos));
            return;
        }
        if (!statsPending && now - nextStatsAt >= 0) {
            int mask = (1 << queues) - 1;
            if (mailbox.send(VirtchnlOp.GET_STATS, new QueueSelect(vsi.vsiId(), mask, mask).encode())) {
                statsPending = true;
                statsDeadline = now + replyNanos;
            }
        }
        for (int q = 0; q < queues; q++) {
            TxRing ring = tx[q];
            ring.reclaim();
            // Without link the device holds descriptors back; that is not a hang.
            if (ring.outstanding() == 0 || ring.descriptorsDone != txLastDone[q] || !linkUp) {
                txLastDone[q] = ring.descriptorsDone;
                txProgressAt[q] = now;
            } else if (now - txProgressAt[q] > txHangNanos) {
                requestReset("transmit queue " + q + " hung: " + ring.outstanding()
                        + " descriptors not done for " + ms(now - txProgressAt[q]));
                return;
            }
        }
    }

    private void statsArrived(EthStats s) {
        stats = s;
        statsPending = false;
        nextStatsAt = now + statsNanos;
        long deviceRx = s.rxPackets();
        long done = rxDescriptorsDone();
        boolean waiting = false;
        for (int q = 0; q < queues; q++) {
            waiting |= rx[q].ready();
        }
        if (deviceRx > lastDeviceRx && done == lastRxDescriptors && !waiting) {
            rxStalls++;
        } else {
            rxStalls = 0;
        }
        lastDeviceRx = deviceRx;
        lastRxDescriptors = done;
        if (rxStalls >= settings.rxStallLimit()) {
            requestReset("receive stalled: the PF delivered frames for " + rxStalls
                    + " statistics intervals and no descriptor completed");
        }
    }

    private long rxDescriptorsDone() {
        long n = 0;
        for (int q = 0; q < queues; q++) {
            n += rx[q].descriptorsDone;
        }
        return n;
    }

    // Mailbox.

    private void drainMailbox() {
        PfMessage m;
        while ((m = mailbox.receive()) != null) {
            if (m.op() == VirtchnlOp.EVENT) {
                event(m);
            } else if (state == VfState.HANDSHAKE && m.op() == awaiting && awaiting != null) {
                reply(m);
            } else if (state == VfState.RUNNING && statsPending && m.op() == VirtchnlOp.GET_STATS) {
                if (m.status() == VirtchnlStatus.SUCCESS) {
                    try {
                        statsArrived(EthStats.decode(m.body()));
                    } catch (VirtchnlFormatException e) {
                        unexpected++;
                        statsPending = false;
                    }
                } else {
                    unexpected++;
                    statsPending = false;
                    nextStatsAt = now + statsNanos;
                }
            } else {
                unexpected++;
                note("ignored " + m.op() + " (" + m.code() + ") from the PF in " + state);
            }
            if (state != VfState.HANDSHAKE && state != VfState.RUNNING && state != VfState.WAIT_RESET_START) {
                return;
            }
        }
    }

    private void event(PfMessage m) {
        events++;
        PfEvent e;
        try {
            e = PfEvent.decode(m.body());
        } catch (VirtchnlFormatException ex) {
            unexpected++;
            return;
        }
        switch (e.event()) {
            case PfEvent.LINK_CHANGE -> {
                linkUp = e.linkUp();
                linkSpeedMbps = PfEvent.speedMbps(e.linkSpeed());
                note("link " + (linkUp ? "up at " + linkSpeedMbps + " Mbit/s" : "down"));
            }
            case PfEvent.RESET_IMPENDING -> {
                if (state != VfState.WAIT_RESET_START) {
                    lastResetReason = "the PF announced a reset";
                    note(lastResetReason);
                    resetAskedByUs = false;
                    enter(VfState.WAIT_RESET_START, now + resetNanos);
                }
            }
            case PfEvent.PF_DRIVER_CLOSE -> {
                linkUp = false;
                note("the PF driver closed");
            }
            default -> unexpected++;
        }
    }

    private void enter(VfState next, long until) {
        state = next;
        deadline = until;
        if (next != VfState.HANDSHAKE) {
            awaiting = null;
        }
    }

    private void fail(String why) {
        failure = "VF " + device.name() + ": " + why;
        note("failed: " + why);
        state = VfState.FAILED;
        awaiting = null;
    }

    private void note(String line) {
        if (log.size() == 256) {
            log.remove(0);
        }
        log.add(line);
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    // What the driver and tests look at.

    public VfState state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    public int queues() {
        return state == VfState.RUNNING ? queues : 0;
    }

    /** Queues with rings, running or not. */
    int ringsBuilt() {
        return rx.length;
    }

    RxRing rx(int q) {
        return rx[q];
    }

    TxRing tx(int q) {
        return tx[q];
    }

    public MacAddress mac() {
        return mac;
    }

    public Version pfVersion() {
        return pfVersion;
    }

    public VfResource resources() {
        return resources;
    }

    public boolean linkUp() {
        return linkUp;
    }

    public int linkSpeedMbps() {
        return linkSpeedMbps;
    }

    public EthStats stats() {
        return stats;
    }

    public long resetsSeen() {
        return resetsSeen;
    }

    public long recoveries() {
        return recoveries;
    }

    public long events() {
        return events;
    }

    public long unexpectedMessages() {
        return unexpected;
    }

    public String lastResetReason() {
        return lastResetReason;
    }

    public List<String> log() {
        return List.copyOf(log);
    }
}
