package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The TUN/TAP driver's ioctls on descriptors of {@code /dev/net/tun}
 * (Documentation/networking/tuntap.rst, include/uapi/linux/if_tun.h). Each call is one
 * ioctl; {@link TapQueues} puts them together into a multi-queue tap.
 *
 * <p>The request numbers are computed from their uapi definitions:
 *
 * <pre>
 * TUNSETIFF       _IOW('T', 202, int)           0x400454ca
 * TUNSETPERSIST   _IOW('T', 203, int)           0x400454cb
 * TUNGETFEATURES  _IOR('T', 207, unsigned int)  0x800454cf
 * TUNSETOFFLOAD   _IOW('T', 208, unsigned int)  0x400454d0
 * TUNGETIFF       _IOR('T', 210, unsigned int)  0x800454d2
 * TUNGETVNETHDRSZ _IOR('T', 215, int)           0x800454d7
 * TUNSETVNETHDRSZ _IOW('T', 216, int)           0x400454d8
 * TUNSETQUEUE     _IOW('T', 217, int)           0x400454d9
 * </pre>
 *
 * (The "int" in TUNSETIFF's definition is historical: it really takes a struct ifreq.)
 *
 * <p>A descriptor remembers the network namespace of the thread that opened
 * {@code /dev/net/tun}: TUNSETIFF creates or finds the interface there. Everything else
 * acts on the interface the descriptor is attached to, wherever it has moved since.
 */
public final class Tun {
    private Tun() {}

    public static final String DEVICE = "/dev/net/tun";

    // ifr_flags for TUNSETIFF / TUNGETIFF
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NAPI = 0x0010;
    public static final int IFF_NAPI_FRAGS = 0x0020;
    /** No 4-byte packet-information prefix before each frame. */
    public static final int IFF_NO_PI = 0x1000;
    /** Each frame is preceded by a virtio_net_hdr (see {@link VirtioNetHeader}). */
    public static final int IFF_VNET_HDR = 0x4000;
    /** Fail with EBUSY instead of attaching to an existing interface. */
    public static final int IFF_TUN_EXCL = 0x8000;
    /** One descriptor per queue; every TUNSETIFF with the same name attaches another queue. */
    public static final int IFF_MULTI_QUEUE = 0x0100;
    /** TUNSETQUEUE: re-enable a queue disabled with {@link #IFF_DETACH_QUEUE}. */
    public static final int IFF_ATTACH_QUEUE = 0x0200;
    public static final int IFF_DETACH_QUEUE = 0x0400;
    /** Reported by TUNGETIFF (read-only there): the interface outlives its descriptors. */
    public static final int IFF_PERSIST = 0x0800;

    // TUNSETOFFLOAD flags: what we accept from the kernel, with a virtio_net_hdr describing it.
    /** Frames may come with a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM) left for us. */
    public static final int TUN_F_CSUM = 0x01;
    /** TCP/IPv4 super-packets up to 64 KB (GSO), segmented by us. Requires TUN_F_CSUM. */
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    /** UDP segmentation offload (Linux 6.2+; not in older uapi headers). */
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;

    private static final char T = 'T';
    public static final int TUNSETIFF = Ioctl.iow(T, 202, Integer.BYTES);
    public static final int TUNSETPERSIST = Ioctl.iow(T, 203, Integer.BYTES);
    public static final int TUNGETFEATURES = Ioctl.ior(T, 207, Integer.BYTES);
    public static final int TUNSETOFFLOAD = Ioctl.iow(T, 208, Integer.BYTES);
    public static final int TUNGETIFF = Ioctl.ior(T, 210, Integer.BYTES);
    public static final int TUNGETVNETHDRSZ = Ioctl.ior(T, 215, Integer.BYTES);
    public static final int TUNSETVNETHDRSZ = Ioctl.iow(T, 216, Integer.BYTES);
    public static final int TUNSETQUEUE = Ioctl.iow(T, 217, Integer.BYTES);

    /** What TUNGETIFF reports: the interface's name and its flags (IFF_PERSIST included). */
    public record Interface(String name, int flags) {
        public boolean has(int flag) {
            return (flags & flag) == flag;
        }
    }

    /**
     * Opens {@value #DEVICE} close-on-exec, non-blocking if asked; not yet attached to any
     * interface.
     */
    public static int open(boolean nonBlocking) throws LinuxException {
        return Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC | (nonBlocking ? Libc.O_NONBLOCK : 0), 0);
    }

    /**
     * TUNSETIFF: attaches {@code fd} to interface {@code name} with {@code flags}, creating
     * the interface in the descriptor's namespace when there is none ({@code name} empty:
     * the kernel picks tap%d). Returns the name the kernel used.
     */
    public static String setInterface(int fd, String name, int flags) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IfReq.SIZE, 8);
            IfReq.setName(ifr, name);
            IfReq.setFlags(ifr, flags);
            Ioctl.ioctl(fd, TUNSETIFF, ifr, "TUNSETIFF \"" + name + "\" flags 0x" + Integer.toHexString(flags));
            return IfReq.name(ifr);
        }
    }

    /** TUNGETIFF: the attached interface's name and flags; EBADFD when not attached. */
    public static Interface getInterface(int fd) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IfReq.SIZE, 8);
            Ioctl.ioctl(fd, TUNGETIFF, ifr, "TUNGETIFF");
            return new Interface(IfReq.name(ifr), IfReq.flags(ifr));
        }
    }

    /** TUNGETFEATURES: the IFF_* flags this kernel's driver supports. */
    public static int features(int fd) throws LinuxException {
        return getInt(fd, TUNGETFEATURES, "TUNGETFEATURES");
    }

    /**
     * TUNSETVNETHDRSZ: bytes of virtio_net_hdr before each frame, for the whole interface:
     * 10 (struct virtio_net_hdr, the default) or 12 (virtio_net_hdr_mrg_rxbuf, the
     * virtio 1.0 layout). The kernel refuses less than 10.
     */
    public static void setVnetHeaderSize(int fd, int size) throws LinuxException {
        setInt(fd, TUNSETVNETHDRSZ, size, "TUNSETVNETHDRSZ " + size);
    }

    public static int vnetHeaderSize(int fd) throws LinuxException {
        return getInt(fd, TUNGETVNETHDRSZ, "TUNGETVNETHDRSZ");
    }

    /** TUNSETOFFLOAD with TUN_F_* {@code offloads}; EINVAL for bits the kernel does not know. */
    public static void setOffload(int fd, int offloads) throws LinuxException {
        Ioctl.ioctl(fd, TUNSETOFFLOAD, Integer.toUnsignedLong(offloads),
                "TUNSETOFFLOAD 0x" + Integer.toHexString(offloads));
    }

    /** TUNSETPERSIST: whether the interface stays when its last descriptor closes. */
    public static void setPersist(int fd, boolean persist) throws LinuxException {
        Ioctl.ioctl(fd, TUNSETPERSIST, persist ? 1L : 0L, "TUNSETPERSIST " + (persist ? 1 : 0));
    }

    /**
     * TUNSETQUEUE: takes a queue of a multi-queue interface out of service
     * ({@code enabled} false, IFF_DETACH_QUEUE: the kernel stops steering to it) or back in.
     */
    public static void setQueueEnabled(int fd, boolean enabled) throws LinuxException {
        int flags = enabled ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IfReq.SIZE, 8);
            IfReq.setFlags(ifr, flags);
            Ioctl.ioctl(fd, TUNSETQUEUE, ifr, "TUNSETQUEUE " + (enabled ? "IFF_ATTACH_QUEUE" : "IFF_DETACH_QUEUE"));
        }
    }

    private static int getInt(int fd, int request, String what) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            Ioctl.ioctl(fd, request, value, what);
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    private static void setInt(int fd, int request, int v, String what) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            Ioctl.ioctl(fd, request, arena.allocateFrom(ValueLayout.JAVA_INT, v), what);
        }
    }
}
