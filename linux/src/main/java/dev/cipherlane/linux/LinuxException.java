package dev.cipherlane.linux;

import java.io.IOException;

/**
 * A system call failed. The message names the call as made (with the arguments that
 * identify it), the errno name and number, and libc's description:
 * {@code open("/dev/net/tun"): ENOENT (2): No such file or directory}.
 */
public final class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public LinuxException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + errno + "): " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The failed call, e.g. {@code open("/dev/net/tun")}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
