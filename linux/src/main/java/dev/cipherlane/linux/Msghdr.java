package dev.cipherlane.linux;

/**
 * Offsets and sizes of {@code struct iovec} and {@code struct msghdr} as sendmsg(2) takes
 * them on LP64 Linux ({@code <sys/uio.h>}, {@code <sys/socket.h>}), and the limit on
 * iovecs per call ({@code IOV_MAX} in {@code <limits.h>}, glibc's name for the kernel's
 * {@code UIO_MAXIOV}; more is EINVAL, see {@code __import_iovec} in lib/iov_iter.c). Checked against gcc's {@code offsetof} and
 * {@code sizeof} by {@code MsghdrLayoutTest}.
 */
public final class Msghdr {
    private Msghdr() {}

    /** {@code struct iovec { void *iov_base; size_t iov_len; }} */
    public static final int IOV_BASE = 0;
    public static final int IOV_LEN = 8;
    public static final int IOVEC_SIZE = 16;

    /** {@code struct msghdr}: name, iovec array, ancillary data, flags. */
    public static final int MSG_NAME = 0;
    public static final int MSG_NAMELEN = 8;
    public static final int MSG_IOV = 16;
    public static final int MSG_IOVLEN = 24;
    public static final int MSG_CONTROL = 32;
    public static final int MSG_CONTROLLEN = 40;
    public static final int MSG_FLAGS = 48;
    public static final int MSGHDR_SIZE = 56;

    /** Most iovecs one call takes. */
    public static final int IOV_MAX = 1024;
}
