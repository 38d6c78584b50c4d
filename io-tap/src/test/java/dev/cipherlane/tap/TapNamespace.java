package dev.cipherlane.tap;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.linux.TapQueues;
import dev.cipherlane.linux.TapSpec;
import dev.cipherlane.testbed.Namespace;
import java.io.IOException;
import java.net.InetAddress;
import java.util.UUID;

/**
 * A fresh testbed {@link Namespace} {@code cltap-<random>} holding one two-queue tap with a
 * 12-byte virtio-net header and checksum/TSO offloads, as a pod would see it: address
 * {@link #POD_IP}/24 and MAC {@link TestFrames#POD_MAC} on the tap, and a permanent
 * neighbour entry for the dataplane's side, {@link #NODE_IP} at {@link TestFrames#NODE_MAC},
 * so the kernel sends to us without ARP. The test process holds the queues.
 *
 * <p>{@link #close()} closes the queues (the tap is not persistent, so it goes with them)
 * and deletes the namespace; tests call it from @AfterEach so it happens even on failure.
 */
final class TapNamespace implements AutoCloseable {
    static final String POD_IP = "10.99.0.1";
    static final String NODE_IP = "10.99.0.2";

    final Namespace namespace;
    final String tap;
    final TapQueues queues;
    final NetNamespace ns;

    private TapNamespace(Namespace namespace, String tap, TapQueues queues) {
        this.namespace = namespace;
        this.tap = tap;
        this.queues = queues;
        this.ns = namespace.handle();
    }

    static TapNamespace create() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String tap = "clt" + suffix;
        Namespace namespace = Namespace.create("cltap-" + suffix);
        TapQueues queues = null;
        try {
            // Opened inside: the tap is created in the namespace the opening thread is in.
            queues = namespace.handle().runIn(() -> TapQueues.open(new TapSpec(tap, 2, 12, TapSpec.DEFAULT_OFFLOADS,
                    false)));
            // IPv6 would add router solicitations and MLD reports to what the tap hands us.
            namespace.disableIpv6();
            namespace.linkUp("lo");
            Rtnetlink rtnl = namespace.rtnetlink();
            int index = rtnl.linkIndex(tap);
            rtnl.linkSetMac(index, mac(TestFrames.POD_MAC));
            rtnl.addressAdd(index, InetAddress.ofLiteral(POD_IP), 24);
            rtnl.linkSetUp(index);
            rtnl.neighbourReplace(index, InetAddress.ofLiteral(NODE_IP), mac(TestFrames.NODE_MAC));
            return new TapNamespace(namespace, tap, queues);
        } catch (Exception | Error e) {
            if (queues != null) {
                queues.close();
            }
            namespace.close();
            throw e;
        }
    }

    /**
     * A counter of the tap as the namespace's kernel sees it, e.g. {@code rx_packets}: read
     * through {@code ip netns exec}, which mounts the namespace's own /sys.
     */
    long statistic(String counter) throws IOException, InterruptedException {
        return Long.parseLong(namespace.exec("cat", "/sys/class/net/" + tap + "/statistics/" + counter).trim());
    }

    static MacAddress mac(long mac) {
        byte[] octets = new byte[MacAddress.LENGTH];
        for (int i = 0; i < octets.length; i++) {
            octets[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return MacAddress.of(octets);
    }

    @Override
    public void close() throws IOException {
        LinuxException failure = null;
        try {
            queues.close();
        } catch (LinuxException e) {
            failure = e;
        }
        try {
            namespace.close();
        } catch (LinuxException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
