package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.MacAddress;
import java.util.Objects;

/**
 * How every pod is attached, Calico/VPP L2-tap style: the tap inside the pod's namespace
 * carries the pod's addresses as /32 and /128, a default route via a link-local gateway
 * and a static neighbour entry giving that gateway {@link #gatewayMac()}, which the
 * dataplane answers to. Link-local gateways can never be a pod's own address, so all pods
 * share the same ones.
 *
 * @param gatewayMac    pod-network.gateway-mac, the MAC pods see for their gateway
 * @param gateway4      pod-network.gateway4, IPv4 link-local next hop of the pods' default route
 * @param gateway6      pod-network.gateway6, IPv6 link-local next hop of the pods' default route
 * @param mtu           pod-network.mtu, a pod interface's MTU unless the pod sets its own
 * @param queues        pod-network.queues, tap queues per pod unless the pod sets its own
 * @param interfaceName pod-network.interface-name, the tap's name inside the pod's namespace
 */
public record PodNetworkSettings(
        MacAddress gatewayMac,
        IpAddress gateway4,
        IpAddress gateway6,
        int mtu,
        int queues,
        String interfaceName) {

    /** Pods get IPv6, and every IPv6 link must carry 1280-byte packets (RFC 8200 section 5). */
    public static final int MIN_MTU = 1280;
    /** The usual jumbo-frame size. */
    public static final int MAX_MTU = 9000;
    public static final int MIN_QUEUES = 1;
    /**
     * Each queue is one fd a worker polls. The kernel allows 256 per tap (MAX_TAP_QUEUES in
     * drivers/net/tun.c); 16 per pod is more than the workers of one node can spread.
     */
    public static final int MAX_QUEUES = 16;

    /**
     * reference.conf's pod-network, for settings built in code; a test checks the two agree.
     */
    public static final PodNetworkSettings DEFAULTS = new PodNetworkSettings(MacAddress.parse("02:fe:00:00:00:01"),
            IpAddress.parse("169.254.1.1"), IpAddress.parse("fe80::1"), 1400, MIN_QUEUES, "eth0");

    public PodNetworkSettings {
        Objects.requireNonNull(gatewayMac, "gatewayMac");
        if (gatewayMac.isMulticast()) {
            throw new IllegalArgumentException("pod gateway MAC " + gatewayMac + " is multicast");
        }
        Objects.requireNonNull(gateway4, "gateway4");
        if (!isGateway(gateway4, IpFamily.IPV4)) {
            throw new IllegalArgumentException("pod gateway4 " + gateway4 + " is not IPv4 link-local");
        }
        Objects.requireNonNull(gateway6, "gateway6");
        if (!isGateway(gateway6, IpFamily.IPV6)) {
            throw new IllegalArgumentException("pod gateway6 " + gateway6 + " is not IPv6 link-local");
        }
        Bounds.check("pod-network.mtu", mtu, MIN_MTU, MAX_MTU);
        Bounds.check("pod-network.queues", queues, MIN_QUEUES, MAX_QUEUES);
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (!InterfaceNames.isValidName(interfaceName)) {
            throw new IllegalArgumentException("bad pod interface name " + interfaceName);
        }
    }

    /** A gateway of {@code family}: link-local (169.254.0.0/16, fe80::/10). */
    public static boolean isGateway(IpAddress address, IpFamily family) {
        return address.family() == family && address.isLinkLocal();
    }

    /** The gateway pods of this family route through. */
    public IpAddress gateway(IpFamily family) {
        return family == IpFamily.IPV4 ? gateway4 : gateway6;
    }
}
