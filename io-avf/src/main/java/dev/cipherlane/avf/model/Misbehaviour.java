package dev.cipherlane.avf.model;

import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Faults a test turns on to see the driver cope. Some last until the next VF reset, as a
 * wedged queue does on hardware (a reset is what unwedges it); the others until cleared.
 * A reset during operation is not a flag: see {@link AvfModel#resetByPf(boolean)}.
 */
public final class Misbehaviour {
    /** VFGEN_RSTAT stays VFR_INPROGRESS: resets never finish. */
    public boolean resetStuck;
    /** RESET_VF messages are taken and ignored: the VF is never reset when it asks. */
    public boolean resetRequestsIgnored;
    /** An announced reset (EVENT RESET_IMPENDING) never happens. */
    public boolean announcedResetsSkipped;
    /** Receive write-back leaves DD clear, until the next VF reset. */
    public boolean rxDoneNeverSet;
    /** The transmit queues stop fetching descriptors, so the rings fill, until the next VF reset. */
    public boolean txStalled;
    /** Frames received get the RXE (MAC error) bit, while positive; counts down per frame. */
    public int rxErrors;

    final Map<VirtchnlOp, Integer> failures = new EnumMap<>(VirtchnlOp.class);
    final Set<VirtchnlOp> eventBeforeReply = EnumSet.noneOf(VirtchnlOp.class);
    final Set<VirtchnlOp> noReply = EnumSet.noneOf(VirtchnlOp.class);

    /** The PF answers {@code op} with {@code status} (a VIRTCHNL_STATUS_* error) and no body. */
    public Misbehaviour fail(VirtchnlOp op, int status) {
        failures.put(op, status);
        return this;
    }

    /** The PF sends a link event just before its reply to {@code op}. */
    public Misbehaviour eventBeforeReply(VirtchnlOp op) {
        eventBeforeReply.add(op);
        return this;
    }

    /** The PF never answers {@code op}. */
    public Misbehaviour noReply(VirtchnlOp op) {
        noReply.add(op);
        return this;
    }

    public void clear() {
        resetStuck = false;
        resetRequestsIgnored = false;
        announcedResetsSkipped = false;
        rxDoneNeverSet = false;
        txStalled = false;
        rxErrors = 0;
        failures.clear();
        eventBeforeReply.clear();
        noReply.clear();
    }

    /** What a VF reset cures. */
    void afterReset() {
        rxDoneNeverSet = false;
        txStalled = false;
    }
}
