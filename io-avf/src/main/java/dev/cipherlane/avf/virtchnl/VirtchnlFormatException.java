package dev.cipherlane.avf.virtchnl;

/** A virtchnl message whose length or content does not fit its opcode. */
public final class VirtchnlFormatException extends RuntimeException {
    private final VirtchnlOp op;

    public VirtchnlFormatException(VirtchnlOp op, String problem) {
        super(op + ": " + problem);
        this.op = op;
    }

    public VirtchnlOp op() {
        return op;
    }

    /** Refuses a message of {@code actual} bytes where exactly {@code expected} belong. */
    static void expectLength(VirtchnlOp op, byte[] message, int expected) {
        if (message.length != expected) {
            throw new VirtchnlFormatException(op, "message of " + message.length + " bytes, expected " + expected);
        }
    }

    /** Refuses a message too short to hold even its fixed part. */
    static void expectAtLeast(VirtchnlOp op, byte[] message, int minimum) {
        if (message.length < minimum) {
            throw new VirtchnlFormatException(op, "message of " + message.length + " bytes, expected at least " + minimum);
        }
    }
}
