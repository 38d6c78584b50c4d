package dev.cipherlane.linux;

import java.io.IOException;

/**
 * A system call failed. The message names the call as made (with the arguments that
 * identify it), the errno name and number, and libc's description:
 * {@code open("/dev/net/tun"): ENOENT (2): No such file or directory}. A detail, such as the
 * kernel's own explanation from a netlink extended ack, follows in parentheses:
 * {@code RTM_NEWADDR 10.0.0.1/32 dev tap0: EEXIST (17): File exists (ipv4: Address already
 * assigned.)}.
 */
public final class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String detail;

    public LinuxException(String call, int errno) {
        this(call, errno, null);
    }

    /** With a {@code detail} (null for none) added to the message. */
    public LinuxException(String call, int errno, String detail) {
        super(call + ": " + Errno.name(errno) + " (" + errno + "): " + Errno.describe(errno)
                + (detail != null ? " (" + detail + ")" : ""));
        this.call = call;
        this.errno = errno;
        this.detail = detail;
    }

    /** The failed call, e.g. {@code open("/dev/net/tun")}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** What else is known about the failure (the kernel's extended-ack text ...), or null. */
    public String detail() {
        return detail;
    }
}
