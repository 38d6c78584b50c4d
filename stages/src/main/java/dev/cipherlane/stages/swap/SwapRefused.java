package dev.cipherlane.stages.swap;

/**
 * A swap, upgrade or rollback that did not happen; the message says why and is meant for the
 * operator. The running instance was left as it was.
 */
public final class SwapRefused extends Exception {
    public SwapRefused(String message) {
        super(message);
    }

    public SwapRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
