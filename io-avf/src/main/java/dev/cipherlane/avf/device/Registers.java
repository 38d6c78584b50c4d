package dev.cipherlane.avf.device;

/**
 * BAR0 registers of an AVF VF (AVF 1.0, the VF register tables; the offsets are the same
 * on every device that implements AVF, which is the point of AVF).
 */
public final class Registers {
    private Registers() {}

    /** Transmit queue tail doorbell of queue {@code q}: QTX_TAIL1[q] = 0x0000 + 4q. */
    public static final int QTX_TAIL = 0x0000;
    /** Receive queue tail doorbell of queue {@code q}: QRX_TAIL1[q] = 0x2000 + 4q. */
    public static final int QRX_TAIL = 0x2000;
    /** VFINT_DYN_CTLN1[n] = 0x3800 + 4n: interrupt control, unused while we poll. */
    public static final int VFINT_DYN_CTLN = 0x3800;
    public static final int VFINT_DYN_CTL01 = 0x5C00;

    // Mailbox (admin) queues (AVF 1.0, "VF mailbox"): transmit (ATQ, VF to PF) and receive (ARQ, PF to VF).
    public static final int VF_ARQBAH = 0x6000;
    public static final int VF_ATQH = 0x6400;
    public static final int VF_ATQLEN = 0x6800;
    public static final int VF_ARQBAL = 0x6C00;
    public static final int VF_ARQT = 0x7000;
    public static final int VF_ARQH = 0x7400;
    public static final int VF_ATQBAH = 0x7800;
    public static final int VF_ATQBAL = 0x7C00;
    public static final int VF_ARQLEN = 0x8000;
    public static final int VF_ATQT = 0x8400;

    /** VF reset status (AVF 1.0 §6.1 pg51): low two bits are a {@code VFR_*} state. */
    public static final int VFGEN_RSTAT = 0x8800;

    /** One past the last register the model decodes. */
    public static final int BAR0_SIZE = 0x10000;

    // ATQLEN / ARQLEN fields.
    /** Ring length in descriptors; ten bits, so at most 1023. */
    public static final int LEN_MASK = 0x3FF;
    /** Set by the device when the VF misused the queue (bad descriptor or buffer). */
    public static final int LEN_VFE = 1 << 28;
    /** Set by the device when a message found no free receive descriptor. */
    public static final int LEN_OVFL = 1 << 29;
    /** Set by the device on a critical error; the queue stops. */
    public static final int LEN_CRIT = 1 << 30;
    /** The queue runs while set. A VF reset clears it: that is how the VF notices one. */
    public static final int LEN_ENABLE = 1 << 31;
    /** Head and tail registers hold a ten-bit descriptor index. */
    public static final int HEAD_MASK = 0x3FF;

    // VFGEN_RSTAT states (virtchnl's VIRTCHNL_VFR_*).
    public static final int RSTAT_MASK = 0x3;
    public static final int VFR_INPROGRESS = 0;
    public static final int VFR_COMPLETED = 1;
    public static final int VFR_VFACTIVE = 2;

    /** Queue pairs a VF may have without asking for more (virtchnl 1.1's default maximum). */
    public static final int MAX_QUEUES = 16;

    public static int qtxTail(int queue) {
        return QTX_TAIL + 4 * queue;
    }

    public static int qrxTail(int queue) {
        return QRX_TAIL + 4 * queue;
    }

    /** VFGEN_RSTAT says the PF has finished resetting this VF (completed, or already active). */
    public static boolean resetDone(int rstat) {
        int state = rstat & RSTAT_MASK;
        return state == VFR_COMPLETED || state == VFR_VFACTIVE;
    }

    public static String resetStateName(int rstat) {
        return switch (rstat & RSTAT_MASK) {
            case VFR_INPROGRESS -> "VFR_INPROGRESS";
            case VFR_COMPLETED -> "VFR_COMPLETED";
            case VFR_VFACTIVE -> "VFR_VFACTIVE";
            default -> "reserved(3)";
        };
    }
}
