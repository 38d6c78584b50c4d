package dev.cipherlane.host.pod;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.IfAddress;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Link;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.linux.Sockets;
import dev.cipherlane.linux.TapQueues;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Attaches pods through persistent multi-queue taps living in their network namespaces,
 * as Calico/VPP's L2 tap mode does, and detaches them. Everything is done with rtnetlink
 * and /dev/net/tun from this process; nothing runs {@code ip}.
 *
 * <p><b>Restart without disruption.</b> {@link #attach} is idempotent: run again against a
 * tap that outlived the process (after a restart, even after kill -9) it reattaches the
 * queues and only corrects what differs from the spec. It never takes the link down,
 * never flushes or re-adds an address that is there, and so leaves the pod's sockets and
 * TCP connections alone; routes and neighbours are written with replace, which swaps an
 * identical entry in place. The one thing a pod notices is that while no process holds a
 * queue the tap has no carrier and drops what the pod sends.
 *
 * <p>The tap is created inside the pod's namespace directly (the /dev/net/tun descriptors
 * are opened by a thread that entered it), not created on the node and moved: a moved
 * link arrives down and without addresses, and reattaching would need the pod's namespace
 * anyway.
 *
 * <p><b>Errors.</b> A failure is a {@link LinuxException} whose call names the pod and the
 * step, with the kernel's errno and explanation:
 * {@code pod pod-a: RTM_NEWROUTE default via 169.254.1.1 dev eth0 onlink (replace): EINVAL ...}.
 * A tap this attach created is removed again when a later step fails; a reattached one is
 * left as it was, so the pod keeps what worked before and a retry can finish the job.
 */
public final class PodTaps {
    private PodTaps() {}

    /** Not in {@link Errno}'s short list; the asm-generic number. */
    private static final int ETIMEDOUT = 110;
    /**
     * IPv6 installs the local route of an address, without which the pod cannot receive on
     * it, only once linkwatch reports the link running: up to about a second after carrier
     * on. A pod that starts before that would lose its first replies.
     */
    static final long IPV6_READY_TIMEOUT_MS = 5_000;
    private static final long IPV6_POLL_MS = 10;
    private static final String TAP_KIND = "tun";

    /**
     * Creates the pod's tap, or reattaches to it if it exists, and brings it to what
     * {@code spec} says: MAC, MTU, up, /32 and /128 addresses (the IPv6 one without DAD),
     * the IPv4 gateway as a link route plus {@code default via gateway4 onlink}, {@code
     * default via gateway6} and permanent neighbour entries resolving both gateways to the
     * gateway MAC. Returns once the pod can use its addresses, holding one non-blocking
     * descriptor per queue.
     */
    public static AttachedPod attach(PodSpec spec) throws LinuxException {
        try (NetNamespace ns = NetNamespace.open(spec.namespacePath()); Rtnetlink rtnl = Rtnetlink.open(ns)) {
            boolean created = !tapExists(rtnl, spec);
            // TUNSETIFF finds or creates the name in the namespace /dev/net/tun was opened in.
            TapQueues queues = ns.runIn(() -> TapQueues.open(spec.tapSpec()));
            try {
                Link link = configure(rtnl, spec);
                return new AttachedPod(spec, link.index(), link.mac(), queues, created);
            } catch (LinuxException | RuntimeException e) {
                undo(rtnl, spec, queues, created, e);
                throw e;
            }
        } catch (LinuxException e) {
            throw inPod(spec, e);
        }
    }

    /**
     * Removes the pod's tap, and with it its addresses, routes and neighbour entries. Returns
     * false if there was nothing to remove: no such interface, or the namespace itself is
     * gone (deleting a namespace deletes the taps in it). Refuses to touch an interface of
     * that name that is not a tap.
     */
    public static boolean detach(PodSpec spec) throws LinuxException {
        NetNamespace ns;
        try {
            ns = NetNamespace.open(spec.namespacePath());
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw inPod(spec, e);
        }
        try (ns; Rtnetlink rtnl = Rtnetlink.open(ns)) {
            Link link;
            try {
                link = rtnl.link(spec.interfaceName());
            } catch (LinuxException e) {
                if (e.errno() == Errno.ENODEV) {
                    return false;
                }
                throw e;
            }
            if (!TAP_KIND.equals(link.kind())) {
                throw new LinuxException("RTM_DELLINK dev " + spec.interfaceName(), Errno.EINVAL,
                        spec.interfaceName() + " is " + kindOf(link) + ", not a tap: left in place");
            }
            rtnl.linkDelete(link.index());
            return true;
        } catch (LinuxException e) {
            throw inPod(spec, e);
        }
    }

    /**
     * Whether the pod already has our tap. An interface of that name that is not a tap (a
     * veth another CNI plugin left, say) is an error, not something to attach to.
     */
    private static boolean tapExists(Rtnetlink rtnl, PodSpec spec) throws LinuxException {
        Link link;
        try {
            link = rtnl.link(spec.interfaceName());
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
        if (!TAP_KIND.equals(link.kind())) {
            throw new LinuxException("TUNSETIFF \"" + spec.interfaceName() + "\"", Errno.EEXIST,
                    spec.interfaceName() + " is " + kindOf(link) + ", not a tap");
        }
        return true;
    }

    /** Every step checks or replaces, so running it on a configured tap changes nothing. */
    private static Link configure(Rtnetlink rtnl, PodSpec spec) throws LinuxException {
        Link link = rtnl.link(spec.interfaceName());
        int index = link.index();
        // MAC and MTU before up on a new tap; on a running one only if they differ, since
        // each change is announced to the pod's stack.
        if (!spec.mac().equals(link.mac())) {
            rtnl.linkSetMac(index, spec.mac());
        }
        if (link.mtu() != spec.mtu()) {
            rtnl.linkSetMtu(index, spec.mtu());
        }
        if (!link.up()) {
            rtnl.linkSetUp(index);
        }
        // IPv4: the address first, since an onlink gateway is refused in a namespace without one.
        if (spec.ip4().isPresent()) {
            addAddress(rtnl, index, spec.ip4().get(), 32, 0);
            rtnl.routeReplace(Route.link(spec.gateway4(), 32, index));
            rtnl.routeReplace(Route.defaultVia(spec.gateway4(), index).onlink());
            rtnl.neighbourReplace(index, spec.gateway4(), spec.gatewayMac());
        }
        if (spec.ip6().isPresent()) {
            // No DAD: the address is the pod's alone, and DAD would hold it back a second or more.
            addAddress(rtnl, index, spec.ip6().get(), 128, IfAddress.IFA_F_NODAD);
            // A link-local gateway needs no onlink: fe80::/64 is on every IPv6 link.
            rtnl.routeReplace(Route.defaultVia(spec.gateway6(), index));
            rtnl.neighbourReplace(index, spec.gateway6(), spec.gatewayMac());
            awaitLocalRoute(rtnl, spec, spec.ip6().get());
        }
        return rtnl.link(index);
    }

    /** Adds an address unless it is there: EEXIST is the answer a reattach expects. */
    private static void addAddress(Rtnetlink rtnl, int index, InetAddress address, int prefixLength, int flags)
            throws LinuxException {
        try {
            rtnl.addressAdd(index, address, prefixLength, flags);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    private static void awaitLocalRoute(Rtnetlink rtnl, PodSpec spec, Inet6Address address) throws LinuxException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IPV6_READY_TIMEOUT_MS);
        while (true) {
            for (Route r : rtnl.routes(Sockets.AF_INET6)) {
                if (r.type() == Route.RTN_LOCAL && r.destination().equals(address)) {
                    return;
                }
            }
            String call = "RTM_GETROUTE local " + address.getHostAddress() + " dev " + spec.interfaceName();
            if (System.nanoTime() - deadline > 0) {
                throw new LinuxException(call, ETIMEDOUT,
                        "no local route " + IPV6_READY_TIMEOUT_MS + " ms after link up; is the link running?");
            }
            try {
                Thread.sleep(IPV6_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LinuxException(call, Errno.EINTR, "interrupted while waiting for the local route");
            }
        }
    }

    /**
     * After a failed step: gives the queues up and removes a tap this attach created, so a
     * half-configured interface does not linger. Failures here are added to {@code cause}.
     */
    private static void undo(Rtnetlink rtnl, PodSpec spec, TapQueues queues, boolean created, Exception cause) {
        try {
            queues.close();
        } catch (LinuxException e) {
            cause.addSuppressed(e);
        }
        if (created) {
            try {
                rtnl.linkDelete(rtnl.linkIndex(spec.interfaceName()));
            } catch (LinuxException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static String kindOf(Link link) {
        return link.kind() != null ? "a " + link.kind() : "a device without a link kind";
    }

    /** The same failure, its call prefixed with the pod, errno and kernel detail kept. */
    static LinuxException inPod(PodSpec spec, LinuxException e) {
        LinuxException wrapped = new LinuxException("pod " + spec.name() + ": " + e.call(), e.errno(), e.detail());
        wrapped.initCause(e);
        for (Throwable s : e.getSuppressed()) {
            wrapped.addSuppressed(s);
        }
        return wrapped;
    }
}
