package dev.cipherlane.host.uplink;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.TapQueues;
import java.util.List;

/**
 * An uplink the node service has taken over ({@link UplinkTakeover#take}): the kernel no
 * longer sees its frames or holds its addresses, the data path serves them, and the
 * kernel's own traffic goes through the host tap.
 *
 * <p>{@link #close()} only closes the tap's descriptors; the takeover stays in force (the
 * tap is persistent) until {@link UplinkTakeover#restore} undoes it, as it must after a
 * crash too, when nothing closed anything.
 */
public final class TakenUplink implements AutoCloseable {
    private final String uplink;
    private final int uplinkIndex;
    private final MacAddress mac;
    private final int mtu;
    private final List<UplinkAddress> addresses;
    private final TapQueues hostTap;

    TakenUplink(String uplink, int uplinkIndex, MacAddress mac, int mtu, List<UplinkAddress> addresses,
                TapQueues hostTap) {
        this.uplink = uplink;
        this.uplinkIndex = uplinkIndex;
        this.mac = mac;
        this.mtu = mtu;
        this.addresses = List.copyOf(addresses);
        this.hostTap = hostTap;
    }

    public String uplink() {
        return uplink;
    }

    /** The uplink's ifindex, for the AF_PACKET rings. */
    public int uplinkIndex() {
        return uplinkIndex;
    }

    /** The uplink's MAC, which the host tap shares: the node's one Ethernet identity. */
    public MacAddress mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    /** The node's addresses, which the data path must now answer for. */
    public List<UplinkAddress> addresses() {
        return addresses;
    }

    /** The host tap's queues (one), through which the kernel's own traffic passes. */
    public TapQueues hostTap() {
        return hostTap;
    }

    /** The host tap's queue descriptors. */
    public int[] hostTapFds() {
        int[] fds = new int[hostTap.count()];
        for (int q = 0; q < fds.length; q++) {
            fds[q] = hostTap.fd(q);
        }
        return fds;
    }

    /** Closes the tap descriptors; does not restore (see {@link UplinkTakeover#restore}). */
    @Override
    public void close() throws LinuxException {
        hostTap.close();
    }

    @Override
    public String toString() {
        return "uplink " + uplink + " (#" + uplinkIndex + ") taken, host tap " + hostTap.name() + ", addresses "
                + addresses;
    }
}
