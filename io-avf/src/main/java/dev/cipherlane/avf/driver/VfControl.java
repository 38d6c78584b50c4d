package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.virtchnl.EthStats;
import dev.cipherlane.avf.virtchnl.PfEvent;
import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.avf.virtchnl.VfResource;
import dev.cipherlane.avf.virtchnl.VirtchnlFormatException;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.avf.virtchnl.VirtchnlStatus;
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
    private final AvfDevice device;
    private final AvfSettings settings;
    private final AdminQueue mailbox;
    private final long replyNanos;
    private final long resetNanos;
    private final long statsNanos;

    private VfState state = VfState.STOPPED;
    private String failure;
    private long now;
    private long deadline;
    private boolean resetAskedByUs;

    private final ArrayDeque<VirtchnlOp> plan = new ArrayDeque<>();
    private VirtchnlOp awaiting;
    private long replyDeadline;

    private Version pfVersion;
    private Grant grant;
    private int queues;
    private RxRing[] rx = new RxRing[0];
    private TxRing[] tx = new TxRing[0];

    private boolean linkUp;
    private int linkSpeedMbps;
    private EthStats stats = EthStats.ZERO;
    private long nextStatsAt;
    private boolean statsPending;
    private long statsDeadline;
    private final RingWatchdog watchdog;

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
        this.watchdog = new RingWatchdog(settings.txHangTimeout().toNanos(), settings.rxStallLimit());
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

    private byte[] request(VirtchnlOp op) {
        return Requests.of(op, settings, pfVersion, grant, rx, tx);
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
        try {
            grant = Grant.of(r, settings);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return false;
        }
        queues = grant.queues();
        if (queues < settings.queues()) {
            note("the PF grants " + queues + " of the " + settings.queues() + " queue pairs asked for"
                    + (grant.rss() ? "" : " (no RSS)"));
        }
        buildRings();
        if (grant.rss()) {
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
        watchdog.rearm(now, queues, stats, rx);
        statsPending = false;
        nextStatsAt = now + statsNanos;
        note("running with " + queues + " queue pairs, MAC " + grant.mac());
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
            if (mailbox.send(VirtchnlOp.GET_STATS, request(VirtchnlOp.GET_STATS))) {
                statsPending = true;
                statsDeadline = now + replyNanos;
            }
        }
        String hung = watchdog.transmitHung(now, tx, queues, linkUp);
        if (hung != null) {
            requestReset(hung);
        }
    }

    private void statsArrived(EthStats s) {
        stats = s;
        statsPending = false;
        nextStatsAt = now + statsNanos;
        String stalled = watchdog.receiveStalled(s, rx, queues);
        if (stalled != null) {
            requestReset(stalled);
        }
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
        return grant == null ? null : grant.mac();
    }

    public Version pfVersion() {
        return pfVersion;
    }

    public VfResource resources() {
        return grant == null ? null : grant.resources();
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
