package dev.cipherlane.chaos;

import dev.cipherlane.linux.Epoll;
import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.EventFd;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.linux.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A userspace stand-in for tc-netem: an L2 wire between two interfaces (typically the relay
 * ends of two veth pairs) that forwards every Ethernet frame from one to the other, with a
 * per-direction {@link Impairment} (loss, duplication, reordering, corruption, delay with
 * jitter, partition).
 *
 * <pre>
 *   host A [a0]==veth==[ra] relay [rb]==veth==[b0] host B
 *                        \___ImpairmentRelay___/
 * </pre>
 *
 * <p>Each port is a raw packet socket (packet(7): AF_PACKET, SOCK_RAW, ETH_P_ALL) bound to
 * one interface and created inside the namespace that holds it. One platform thread waits on
 * both sockets, a wake-up eventfd and the earliest timer with epoll, reads frames, passes
 * them through the lane of their direction and writes survivors to the other socket. Frames
 * the relay wrote itself come back to a packet socket as PACKET_OUTGOING; they are filtered
 * by PACKET_IGNORE_OUTGOING and, should the kernel lack it, by sll_pkttype.
 *
 * <p>Offloads: a packet socket without PACKET_VNET_HDR sees frames as the kernel holds them.
 * If the hosts' veth ends checksum-offload or segment (TSO/GSO), frames arrive at the relay
 * with partial checksums or as 64 KB super-frames that cannot be sent on as they are, and a
 * corrupted byte would not be caught by a checksum nobody computes. So turn off tx
 * checksumming, TSO, GSO and GRO on the interfaces around the relay ({@code ethtool -K dev tx
 * off tso off gso off gro off}); frames larger than {@link #MAX_FRAME} are counted as errors.
 *
 * <p>Decisions are deterministic for a seed and an order of frames (each direction has its
 * own random stream). Impairments can be changed while the relay runs; counters are read
 * from any thread.
 */
public final class ImpairmentRelay implements AutoCloseable {
    /** Largest frame taken in: 64 KB plus an Ethernet header, beyond any MTU we configure. */
    public static final int MAX_FRAME = 65536 + 14;
    /** Frames read from one socket before looking at the other: keeps both directions moving. */
    static final int BATCH = 64;
    /** Kernel receive buffer per socket, so bursts wait in the kernel rather than being lost. */
    static final int RECEIVE_BUFFER = 4 << 20;

    private static final long WAKE = -1;
    /** errno.h: the network is down (a packet socket's interface went down). */
    private static final int ENETDOWN = 100;
    private static final int IDLE_WAIT_MS = 1000;

    private final RelayPort[] ports;
    private final int[] fds;
    private final RelayLane[] lanes;
    private final Epoll epoll;
    private final EventFd wake;
    private final MemorySegment frame;
    private final MemorySegment from;
    private final Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile FrameObserver observer;
    private boolean started;
    private boolean closed;

    private ImpairmentRelay(RelayPort a, RelayPort b, int fdA, int fdB, long seed) throws LinuxException {
        this.ports = new RelayPort[] {a, b};
        this.fds = new int[] {fdA, fdB};
        // Lane A_TO_B reads port A and writes port B.
        this.lanes = new RelayLane[] {
                new RelayLane((buf, len) -> sendAll(fdB, buf, len), seed, MAX_FRAME),
                new RelayLane((buf, len) -> sendAll(fdA, buf, len), Long.rotateLeft(seed, 32) ^ 0x9E3779B97F4A7C15L,
                        MAX_FRAME)};
        Arena arena = Arena.ofAuto();
        this.frame = arena.allocate(MAX_FRAME, 64);
        this.from = arena.allocate(PacketAddress.SIZE, 8);
        Epoll ep = Epoll.open(8);
        EventFd ev = null;
        try {
            ev = EventFd.open(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            ep.add(fdA, Epoll.EPOLLIN, 0);
            ep.add(fdB, Epoll.EPOLLIN, 1);
            ep.add(ev.fd(), Epoll.EPOLLIN, WAKE);
        } catch (LinuxException | RuntimeException e) {
            if (ev != null) {
                closeQuietly(ev, e);
            }
            closeQuietly(ep, e);
            throw e;
        }
        this.epoll = ep;
        this.wake = ev;
        this.thread = Thread.ofPlatform().daemon().name("impairment-relay " + a + " <-> " + b).unstarted(this::run);
    }

    /**
     * Opens packet sockets on both ports; nothing is forwarded until {@link #start()}. Both
     * directions start with {@link Impairment#NONE}.
     */
    public static ImpairmentRelay open(RelayPort a, RelayPort b, long seed) throws LinuxException {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        int fdA = openPort(a);
        int fdB;
        try {
            fdB = openPort(b);
        } catch (LinuxException | RuntimeException e) {
            closeQuietly(fdA, e);
            throw e;
        }
        try {
            return new ImpairmentRelay(a, b, fdA, fdB, seed);
        } catch (LinuxException | RuntimeException e) {
            closeQuietly(fdA, e);
            closeQuietly(fdB, e);
            throw e;
        }
    }

    private static int openPort(RelayPort port) throws LinuxException {
        if (port.namespace() == null) {
            return openSocket(port.interfaceName());
        }
        return port.namespace().runIn(() -> openSocket(port.interfaceName()));
    }

    /** A packet socket on {@code name}, in the calling thread's namespace. */
    private static int openSocket(String name) throws LinuxException {
        int ifIndex;
        try (Rtnetlink rt = Rtnetlink.open()) {
            ifIndex = rt.linkIndex(name);
        }
        // Protocol 0 receives nothing until bind names the protocol and the interface; with
        // ETH_P_ALL here the socket would briefly see every interface of the namespace.
        int fd = Sockets.socket(Sockets.AF_PACKET,
                Sockets.SOCK_RAW | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0);
        try {
            try {
                Sockets.setsockopt(fd, PacketAddress.SOL_PACKET, PacketAddress.PACKET_IGNORE_OUTGOING, 1);
            } catch (LinuxException e) {
                // Older kernels: recvfrom's sll_pkttype filters our own frames instead.
            }
            try {
                Sockets.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUFFORCE, RECEIVE_BUFFER);
            } catch (LinuxException e) {
                Sockets.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, RECEIVE_BUFFER);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sll = arena.allocate(PacketAddress.SIZE, 8);
                int len = PacketAddress.bindAddress(sll, ifIndex, PacketAddress.ETH_P_ALL);
                Sockets.bind(fd, sll, len);
            }
            return fd;
        } catch (LinuxException | RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /** Starts the relay thread. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("relay is closed");
        }
        if (started) {
            throw new IllegalStateException("relay already started");
        }
        started = true;
        running = true;
        thread.start();
    }

    /** Sets the impairment of one direction; applies from the next frame. */
    public void impair(Direction direction, Impairment impairment) {
        lanes[direction.ordinal()].impairment(impairment);
    }

    /** Sets the same impairment on both directions. */
    public void impairBoth(Impairment impairment) {
        impair(Direction.A_TO_B, impairment);
        impair(Direction.B_TO_A, impairment);
    }

    public Impairment impairment(Direction direction) {
        return lanes[direction.ordinal()].impairment();
    }

    public RelayCounters counters(Direction direction) {
        return lanes[direction.ordinal()].counters();
    }

    public RelayPort port(Direction from) {
        return ports[from.ordinal()];
    }

    /**
     * Shows every frame read from either wire to {@code o} before it is impaired, or stops
     * showing them with null. Applies from the next frame.
     */
    public void observe(FrameObserver o) {
        observer = o;
    }

    /** The exception that stopped the relay thread, or null while it runs or after a clean close. */
    public Throwable failure() {
        return failure;
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                lanes[0].poll(now);
                lanes[1].poll(now);
                int n = epoll.await(timeoutMillis(now));
                for (int i = 0; i < n; i++) {
                    long data = epoll.data(i);
                    if (data == WAKE) {
                        wake.drain();
                    } else {
                        drain((int) data);
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
        }
    }

    private int timeoutMillis(long now) {
        long next = Math.min(lanes[0].nextDeadline(), lanes[1].nextDeadline());
        if (next == Long.MAX_VALUE) {
            return IDLE_WAIT_MS;
        }
        long wait = next - now;
        if (wait <= 0) {
            return 0;
        }
        // Round up: waking a little late is fine, spinning on a zero timeout is not.
        return (int) Math.min(IDLE_WAIT_MS, (wait + 999_999) / 1_000_000);
    }

    /** Reads up to {@link #BATCH} frames from port {@code side} into its lane. */
    private void drain(int side) throws LinuxException {
        int fd = fds[side];
        RelayLane lane = lanes[side];
        for (int i = 0; i < BATCH; i++) {
            long n;
            try {
                n = Sockets.recvfrom(fd, frame, 0, MAX_FRAME, Sockets.MSG_TRUNC, from);
            } catch (LinuxException e) {
                if (e.errno() != ENETDOWN) {
                    throw e;
                }
                // The interface went down (a test flapping the link): the kernel reports it
                // once, and the bound socket receives again when the link comes back up.
                lane.countError();
                return;
            }
            if (n == Libc.WOULD_BLOCK) {
                return;
            }
            if (PacketAddress.packetType(from) == PacketAddress.PACKET_OUTGOING) {
                continue;
            }
            if (n > MAX_FRAME) {
                lane.countError();
                continue;
            }
            FrameObserver o = observer;
            if (o != null) {
                o.frame(side == 0 ? Direction.A_TO_B : Direction.B_TO_A, frame, (int) n);
            }
            lane.accept(frame, (int) n, System.nanoTime());
        }
    }

    private static void sendAll(int fd, MemorySegment buf, int length) throws LinuxException {
        long sent = Sockets.send(fd, buf, 0, length, 0);
        if (sent == Libc.WOULD_BLOCK) {
            throw new LinuxException("send(" + fd + ") would block", Errno.EAGAIN);
        }
    }

    /**
     * Stops the thread, waits for it and closes the sockets; frames still held or delayed
     * are dropped. Idempotent.
     */
    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        LinuxException pending = null;
        try {
            wake.signal();
        } catch (LinuxException e) {
            pending = e;
        }
        if (thread.isAlive()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {epoll, wake}) {
            pending = closeCollecting(c, pending);
        }
        for (int fd : fds) {
            try {
                Libc.close(fd);
            } catch (LinuxException e) {
                pending = add(pending, e);
            }
        }
        if (pending != null) {
            throw pending;
        }
    }

    private static LinuxException closeCollecting(AutoCloseable c, LinuxException pending) {
        try {
            c.close();
        } catch (LinuxException e) {
            return add(pending, e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return pending;
    }

    private static LinuxException add(LinuxException pending, LinuxException e) {
        if (pending == null) {
            return e;
        }
        pending.addSuppressed(e);
        return pending;
    }

    private static void closeQuietly(int fd, Exception pending) {
        try {
            Libc.close(fd);
        } catch (LinuxException e) {
            pending.addSuppressed(e);
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception pending) {
        try {
            c.close();
        } catch (Exception e) {
            pending.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "impairment relay " + ports[0] + " <-> " + ports[1];
    }
}
