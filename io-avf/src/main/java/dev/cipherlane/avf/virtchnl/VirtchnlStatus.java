package dev.cipherlane.avf.virtchnl;

/** virtchnl return values (the descriptor's cookie low): zero or a negative error. */
public final class VirtchnlStatus {
    private VirtchnlStatus() {}

    public static final int SUCCESS = 0;
    public static final int ERR_PARAM = -5;
    public static final int ERR_NO_MEMORY = -18;
    public static final int ERR_OPCODE_MISMATCH = -38;
    public static final int ERR_CQP_COMPL_ERROR = -39;
    public static final int ERR_INVALID_VF_ID = -40;
    public static final int ERR_ADMIN_QUEUE_ERROR = -53;
    public static final int ERR_NOT_SUPPORTED = -64;

    public static String name(int status) {
        String name = switch (status) {
            case SUCCESS -> "SUCCESS";
            case ERR_PARAM -> "ERR_PARAM";
            case ERR_NO_MEMORY -> "ERR_NO_MEMORY";
            case ERR_OPCODE_MISMATCH -> "ERR_OPCODE_MISMATCH";
            case ERR_CQP_COMPL_ERROR -> "ERR_CQP_COMPL_ERROR";
            case ERR_INVALID_VF_ID -> "ERR_INVALID_VF_ID";
            case ERR_ADMIN_QUEUE_ERROR -> "ERR_ADMIN_QUEUE_ERROR";
            case ERR_NOT_SUPPORTED -> "ERR_NOT_SUPPORTED";
            default -> "status";
        };
        return "VIRTCHNL_STATUS_" + name + " (" + status + ")";
    }
}
