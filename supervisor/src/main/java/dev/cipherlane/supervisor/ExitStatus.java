package dev.cipherlane.supervisor;

/** What the `cipherlane` command exits with; scripts and the demo rely on these. */
public final class ExitStatus {

    public static final int OK = 0;
    /** Anything else that went wrong, explained in one line on stderr. */
    public static final int FAILURE = 1;
    /** The config file was refused; each problem is one line on stderr. */
    public static final int CONFIG_INVALID = 2;

    private ExitStatus() {
    }
}
