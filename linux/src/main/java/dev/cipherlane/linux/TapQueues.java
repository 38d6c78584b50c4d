package dev.cipherlane.linux;

import java.util.Arrays;

/**
 * The queue descriptors of one multi-queue tap: one non-blocking {@code /dev/net/tun}
 * descriptor per queue, each attached with TUNSETIFF to the same name. The kernel spreads
 * the frames it sends (our receive side) over the queues by flow hash, and takes frames
 * written to any of them.
 *
 * <p>{@link #open} creates the tap or, if it already exists, attaches to it: that is how a
 * restarted node service gets its pods' persistent taps back. It then sets the
 * interface-wide virtio-net header size and offloads, and last the persistence, so a tap
 * created by a failed open vanishes with its descriptors instead of lingering.
 *
 * <p>{@link #close()} closes the descriptors only: a persistent tap stays, without carrier
 * until someone attaches again. {@link #destroy(String)} removes one.
 *
 * <p>Opening acts in the calling thread's network namespace (see {@link Tun}); to reattach
 * a tap that has moved into a pod, open it inside {@link NetNamespace#runIn}. Once open,
 * the descriptors work from any thread and namespace.
 */
public final class TapQueues implements AutoCloseable {
    private final TapSpec spec;
    private final int[] fds;
    private volatile boolean closed;

    private TapQueues(TapSpec spec, int[] fds) {
        this.spec = spec;
        this.fds = fds;
    }

    /** Creates or reattaches the tap {@code spec} describes. */
    public static TapQueues open(TapSpec spec) throws LinuxException {
        int[] fds = new int[spec.queues()];
        int opened = 0;
        try {
            for (int q = 0; q < fds.length; q++) {
                fds[q] = Tun.open(true);
                opened++;
                Tun.setInterface(fds[q], spec.name(), spec.flags());
                if (q == 0) {
                    Tun.setVnetHeaderSize(fds[0], spec.vnetHeaderSize());
                    Tun.setOffload(fds[0], spec.offloads());
                }
            }
            Tun.setPersist(fds[0], spec.persistent());
            return new TapQueues(spec, fds);
        } catch (LinuxException | RuntimeException e) {
            closeAll(fds, opened, e);
            throw e;
        }
    }

    public TapSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    /** Number of queues. */
    public int count() {
        return fds.length;
    }

    /** The descriptor of queue {@code queue} (0-based). */
    public int fd(int queue) {
        checkOpen();
        return fds[queue];
    }

    /** TUNGETIFF through the first queue: name and IFF_* flags, {@link Tun#IFF_PERSIST} included. */
    public Tun.Interface info() throws LinuxException {
        checkOpen();
        return Tun.getInterface(fds[0]);
    }

    /** TUNSETPERSIST. Clearing it makes the tap disappear when the last queue closes. */
    public void setPersistent(boolean persistent) throws LinuxException {
        checkOpen();
        Tun.setPersist(fds[0], persistent);
    }

    /**
     * Deletes tap {@code name} in the calling thread's namespace (RTM_DELLINK), at once, even
     * while descriptors are attached (they then fail with EBADFD). ENODEV if there is none.
     */
    public static void destroy(String name) throws LinuxException {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            rtnl.linkDelete(rtnl.linkIndex(name));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tap " + spec.name() + " queues are closed");
        }
    }

    /** Closes every queue descriptor; the first failure is thrown after all were tried. */
    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LinuxException first = closeAll(fds, fds.length, null);
        if (first != null) {
            throw first;
        }
    }

    /**
     * Closes {@code fds[0, n)}. Failures are added to {@code pending} when there is one,
     * otherwise the first is returned with the rest suppressed in it.
     */
    private static LinuxException closeAll(int[] fds, int n, Exception pending) {
        LinuxException first = null;
        for (int i = 0; i < n; i++) {
            try {
                Libc.close(fds[i]);
            } catch (LinuxException e) {
                if (pending != null) {
                    pending.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    @Override
    public String toString() {
        return "tap " + spec.name() + " queues " + Arrays.toString(fds);
    }
}
