package dev.cipherlane.host.uplink;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The uplink state file cannot be trusted. Names the file and the line, as compilers do
 * ({@code /run/cipherlane/uplink.state:4: ...}): restoring from a guess could leave the node
 * without its addresses, so an operator has to look.
 */
public final class UplinkStateException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    /** A problem on {@code line} (1-based), or with the whole file when {@code line} is 0. */
    public UplinkStateException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based; 0 when the problem is not on one line. */
    public int line() {
        return line;
    }
}
