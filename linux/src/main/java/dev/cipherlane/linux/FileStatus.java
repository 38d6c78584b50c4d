package dev.cipherlane.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code fstat(2)} of an open descriptor: what a file is once it has been opened, so a check
 * and the use that follows it look at the same inode (checking a path and then opening it
 * leaves a window for a swap). Offsets are x86_64's {@code struct stat}, checked against the C
 * compiler by {@code FileStatusLayoutTest}.
 *
 * @param device {@code st_dev}
 * @param inode  {@code st_ino}
 * @param links  {@code st_nlink}: a key file with a second name could be read or swapped through it
 * @param mode   {@code st_mode}: type and permission bits
 * @param uid    {@code st_uid}
 * @param gid    {@code st_gid}
 * @param size   {@code st_size}
 */
public record FileStatus(long device, long inode, long links, int mode, int uid, int gid, long size) {
    static final int SIZE = 144;
    static final int ST_DEV = 0;
    static final int ST_INO = 8;
    static final int ST_NLINK = 16;
    static final int ST_MODE = 24;
    static final int ST_UID = 28;
    static final int ST_GID = 32;
    static final int ST_SIZE = 48;

    /** {@code S_IFMT} and the regular-file and directory types (inode(7)). */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;

    /** {@code open(2)} flags for reading a file that must not be reached through a link. */
    public static final int O_NOFOLLOW = 0400000;

    private static final MethodHandle FSTAT = Libc.bind("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** The status of {@code fd}. */
    public static FileStatus of(int fd) throws LinuxException {
        MemorySegment cs = Libc.callState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(SIZE, 8);
            int rc;
            try {
                rc = (int) FSTAT.invokeExact(cs, fd, st);
            } catch (Throwable t) {
                throw Libc.linkage("fstat", t);
            }
            if (rc < 0) {
                throw new LinuxException("fstat(" + fd + ")", Errno.read(cs));
            }
            return new FileStatus(st.get(JAVA_LONG, ST_DEV), st.get(JAVA_LONG, ST_INO), st.get(JAVA_LONG, ST_NLINK),
                    st.get(JAVA_INT, ST_MODE), st.get(JAVA_INT, ST_UID), st.get(JAVA_INT, ST_GID),
                    st.get(JAVA_LONG, ST_SIZE));
        }
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** The permission bits, {@code 0777} and the set-id and sticky bits. */
    public int permissions() {
        return mode & 07777;
    }
}
