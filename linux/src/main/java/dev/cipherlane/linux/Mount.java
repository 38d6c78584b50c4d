package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code mount(2)} and {@code umount2(2)}, as far as named network namespaces need them: a
 * bind mount of a namespace file and a change of a mount point's propagation (see
 * {@link NetNamespace#add}). Mounts belong to the process's mount namespace, which all its
 * threads share. Needs CAP_SYS_ADMIN.
 */
public final class Mount {
    private Mount() {}

    // mountflags (include/uapi/linux/mount.h)
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    /** umount2 flag: detach now, free once no longer busy (umount2(2)). */
    public static final int MNT_DETACH = 2;

    private static final MethodHandle MOUNT = Libc.bind("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = Libc.bind("umount2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /**
     * {@code mount(source, target, fstype, flags, NULL)}. A bind mount or a propagation change
     * ignores {@code fstype}; iproute2 passes "none", and so does this for a null one.
     */
    public static void mount(String source, String target, String fstype, long flags) throws LinuxException {
        MemorySegment cs = Libc.callState();
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) MOUNT.invokeExact(cs, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype == null ? "none" : fstype), flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Libc.linkage("mount", t);
        }
        if (r < 0) {
            throw new LinuxException("mount(\"" + source + "\", \"" + target + "\", 0x" + Long.toHexString(flags) + ")",
                    Errno.read(cs));
        }
    }

    /** {@code umount2(target, flags)}. */
    public static void umount2(String target, int flags) throws LinuxException {
        MemorySegment cs = Libc.callState();
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) UMOUNT2.invokeExact(cs, arena.allocateFrom(target), flags);
        } catch (Throwable t) {
            throw Libc.linkage("umount2", t);
        }
        if (r < 0) {
            throw new LinuxException("umount2(\"" + target + "\", " + flags + ")", Errno.read(cs));
        }
    }
}
