package dev.cipherlane.afpacket;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.GatherMessage;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.cipherlane.afpacket.Tpacket.*;

/**
 * An AF_PACKET socket without rings beside a {@link PacketRing}, for super-frames: one
 * {@code sendmsg(2)} of a virtio-net header and an Ethernet frame of up to 64 KB that the
 * kernel cuts into wire-sized packets (GSO), on the device or, when the device can take
 * the whole skb (veth, and NICs with UDP segmentation offload), further down.
 *
 * <p>The frame is gathered, not built: a {@link GatherMessage} names the virtio-net header
 * and the super-frame's Ethernet, IP and UDP headers in {@link #headers()}, then each
 * datagram's payload where it lies in its packet buffer. packet_snd (net/packet/af_packet.c)
 * reads the virtio-net header off the front of the message and copies the rest into the skb
 * in one pass, from however many iovecs, so the kernel's one copy is the only one. A tx ring
 * cannot carry these: its frames have one fixed size, and with a ring attached the kernel
 * sends only ring frames on that socket.
 *
 * <p>It is bound to the interface with protocol 0, so the kernel never queues received
 * frames to it; the protocol of each frame comes from its Ethernet header. The frames it
 * sends and the ring's go through the same device queue in the order the worker sends
 * them, so the worker keeps a flow in order by kicking the ring before a super-frame.
 */
public final class GsoSocket implements AutoCloseable {
    /** Socket send buffer: a few 64 KB super-frames in flight on a slow device. */
    private static final int SEND_BUFFER = 4 << 20;
    /**
     * Room for a virtio-net header and the headers of the largest plain UDP datagram that
     * joins a super-frame (Ethernet, IPv6, UDP: {@link UdpGso#IP6_PAYLOAD}).
     */
    static final int HEADERS_SIZE = 128;
    /** The headers' piece, then one payload per datagram: UDP_MAX_SEGMENTS of them at most. */
    static final int PIECES = 1 + UdpGso.MAX_SEGMENTS;

    private final int fd;
    private final Arena arena;
    private final MemorySegment headers;
    private final GatherMessage message;
    private boolean closed;
    /** Set once the kernel refused a super-frame as such; the owning worker alone writes it. */
    private boolean refused;

    private GsoSocket(int fd) {
        this.fd = fd;
        this.arena = Arena.ofShared();
        this.headers = arena.allocate(HEADERS_SIZE, 64);
        this.message = new GatherMessage(PIECES);
    }

    /** Opens the socket on {@code interfaceIndex} in the calling thread's network namespace. */
    public static GsoSocket open(int interfaceIndex, boolean qdiscBypass) throws LinuxException {
        int fd = Sockets.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, 0);
        try {
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, 1);
            if (qdiscBypass) {
                Sockets.setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
            }
            try {
                Sockets.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUFFORCE, SEND_BUFFER);
            } catch (LinuxException notPermitted) {
                // Without CAP_NET_ADMIN the kernel caps the buffer at wmem_max; that still works.
                Sockets.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, SEND_BUFFER);
            }
            PacketRing.bind(fd, interfaceIndex, 0);
            return new GsoSocket(fd);
        } catch (LinuxException | RuntimeException e) {
            try {
                Libc.close(fd);
            } catch (LinuxException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Sends the pieces of {@link #message()}: a virtio-net header followed by an Ethernet
     * frame. Returns bytes sent or {@link Libc#WOULD_BLOCK} when the send buffer is full;
     * never waits.
     */
    public long send() throws LinuxException {
        try {
            return Sockets.sendmsg(fd, message, Sockets.MSG_DONTWAIT);
        } catch (LinuxException e) {
            int errno = e.errno();
            // A kernel without UDP segmentation for packet sockets (before Linux 4.18) or a
            // device that cannot take the frame refuses every super-frame alike: stop trying.
            if (errno == Errno.EINVAL || errno == Errno.EOPNOTSUPP || errno == Errno.EMSGSIZE) {
                refused = true;
            }
            throw e;
        }
    }

    /** Whether super-frames still go out: false once the kernel refused one as such. */
    public boolean usable() {
        return !refused;
    }

    /**
     * Where the owning worker writes a super-frame's virtio-net header and its Ethernet, IP
     * and UDP headers before {@link #send}: {@link #HEADERS_SIZE} bytes.
     */
    public MemorySegment headers() {
        return headers;
    }

    /** The pieces {@link #send} gathers, filled by the owning worker per super-frame. */
    public GatherMessage message() {
        return message;
    }

    @Override
    public synchronized void close() throws LinuxException {
        if (closed) {
            return;
        }
        closed = true;
        message.close();
        arena.close();
        Libc.close(fd);
    }

    @Override
    public String toString() {
        return "af_packet gso socket fd " + fd;
    }
}
