package dev.cipherlane.avf.driver;

/** Where the driver's control path is. Only {@link #RUNNING} moves packets. */
public enum VfState {
    /** Not started, or closed. */
    STOPPED,
    /** Waiting for VFGEN_RSTAT to say the VF is usable before we reset it ourselves. */
    WAIT_READY,
    /** A reset was asked for or announced; waiting for the device to begin it. */
    WAIT_RESET_START,
    /** The VF is being reset; waiting for VFGEN_RSTAT to say it is done. */
    WAIT_RESET_DONE,
    /** Talking virtchnl with the PF: VERSION up to ENABLE_QUEUES and a first GET_STATS. */
    HANDSHAKE,
    /** Queues enabled, rings live. */
    RUNNING,
    /** Asked the PF to disable the queues; the mailbox closes on its answer. */
    STOPPING,
    /** Given up; {@link AvfDriver#failure()} says why. {@link AvfDriver#start(long)} tries again. */
    FAILED
}
