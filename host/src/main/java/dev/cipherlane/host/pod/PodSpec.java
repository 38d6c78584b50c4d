package dev.cipherlane.host.pod;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.TapSpec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything needed to attach one pod through a tap, Calico/VPP L2 tap style: the tap
 * {@link #interfaceName} lives in the pod's network namespace with the pod's addresses as
 * /32 and /128, a default route via the link-local gateways and permanent neighbour entries
 * that resolve both gateways to {@link #gatewayMac}, the MAC the dataplane answers to.
 *
 * <p>Build one with {@link #of} and the {@code with...} methods. Without an explicit MAC
 * the pod gets {@link #stableMac(String)}: derived from its name, so a pod re-attached
 * after a restart, or recreated from the state file, keeps the MAC its neighbours know.
 *
 * @param name          pod name, a DNS subdomain (1..253 of {@code a-z 0-9 . -})
 * @param netns         a name under {@value NetNamespace#NAMED_DIRECTORY} or an absolute
 *                      path such as {@code /proc/123/ns/net}; see {@link #namespacePath()}
 * @param ip4           the pod's IPv4 address (a /32 on the tap), if it has one
 * @param ip6           the pod's IPv6 address (a /128 on the tap), if it has one
 * @param mac           the MAC of the tap inside the pod
 * @param mtu           the tap's MTU
 * @param queues        tap queues, one descriptor each
 * @param interfaceName the tap's name inside the pod
 * @param gatewayMac    the node side's MAC: what the pod sends every frame to
 * @param gateway4      next hop of the pod's IPv4 default route
 * @param gateway6      next hop of the pod's IPv6 default route, link-local
 */
public record PodSpec(String name, String netns, Optional<Inet4Address> ip4, Optional<Inet6Address> ip6,
                      MacAddress mac, int mtu, int queues, String interfaceName, MacAddress gatewayMac,
                      Inet4Address gateway4, Inet6Address gateway6) {
    public static final String DEFAULT_INTERFACE = "eth0";
    /** As pod-network.mtu in reference.conf: room for the IPIP and ESP overhead on a 1500-byte wire. */
    public static final int DEFAULT_MTU = 1400;
    public static final int DEFAULT_QUEUES = 1;
    /** Link-local, so it never clashes with a pod address and every pod can use the same one. */
    public static final Inet4Address DEFAULT_GATEWAY4 = (Inet4Address) InetAddress.ofLiteral("169.254.1.1");
    public static final Inet6Address DEFAULT_GATEWAY6 = (Inet6Address) InetAddress.ofLiteral("fe80::1");

    public static final int MIN_MTU = 68;
    /** max_mtu of a tap: 65535 less its 14-byte Ethernet header (drivers/net/tun.c). */
    public static final int MAX_MTU = 65521;
    /** The kernel turns IPv6 off on a link below this (RFC 8200 section 5). */
    public static final int MIN_IPV6_MTU = 1280;

    /** A Kubernetes object name: an RFC 1123 subdomain. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    /** PATH_MAX less the NUL. */
    private static final int MAX_PATH = 4095;
    /** IFNAMSIZ less the NUL. */
    private static final int MAX_INTERFACE_NAME = 15;

    public PodSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("pod name \"" + name + "\" is not a DNS subdomain (a-z, 0-9, '.', '-')");
        }
        String pod = "pod " + name + ": ";
        Objects.requireNonNull(netns, pod + "netns");
        checkNetns(pod, netns);
        Objects.requireNonNull(ip4, pod + "ip4");
        Objects.requireNonNull(ip6, pod + "ip6");
        if (ip4.isEmpty() && ip6.isEmpty()) {
            throw new IllegalArgumentException(pod + "needs an IPv4 or an IPv6 address");
        }
        ip4.ifPresent(a -> checkPodAddress(pod, a));
        ip6.ifPresent(a -> checkPodAddress(pod, a));
        Objects.requireNonNull(mac, pod + "mac");
        Objects.requireNonNull(gatewayMac, pod + "gatewayMac");
        checkUnicast(pod + "mac", mac);
        checkUnicast(pod + "gateway MAC", gatewayMac);
        if (mac.equals(gatewayMac)) {
            throw new IllegalArgumentException(pod + "MAC " + mac + " is the gateway's");
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException(pod + "mtu must be " + MIN_MTU + ".." + MAX_MTU + ", got " + mtu);
        }
        if (ip6.isPresent() && mtu < MIN_IPV6_MTU) {
            throw new IllegalArgumentException(pod + "mtu " + mtu + " is below IPv6's minimum of " + MIN_IPV6_MTU);
        }
        if (queues < 1 || queues > TapSpec.MAX_QUEUES) {
            throw new IllegalArgumentException(pod + "queues must be 1.." + TapSpec.MAX_QUEUES + ", got " + queues);
        }
        Objects.requireNonNull(interfaceName, pod + "interfaceName");
        checkInterfaceName(pod, interfaceName);
        Objects.requireNonNull(gateway4, pod + "gateway4");
        Objects.requireNonNull(gateway6, pod + "gateway6");
        if (gateway4.isAnyLocalAddress() || gateway4.isMulticastAddress()) {
            throw new IllegalArgumentException(pod + "gateway4 " + gateway4.getHostAddress() + " is not unicast");
        }
        // Only a link-local gateway is reachable without a route to it (no onlink for IPv6 here).
        if (!gateway6.isLinkLocalAddress() || gateway6.getScopeId() != 0 || gateway6.getScopedInterface() != null) {
            throw new IllegalArgumentException(pod + "gateway6 " + gateway6.getHostAddress()
                    + " must be an unscoped link-local address");
        }
    }

    /**
     * A pod with one or two {@code addresses} (at most one per family), the derived MAC and
     * the defaults: {@value #DEFAULT_MTU} MTU, {@value #DEFAULT_QUEUES} queue, interface
     * {@value #DEFAULT_INTERFACE}, gateways 169.254.1.1 and fe80::1.
     */
    public static PodSpec of(String name, String netns, List<? extends InetAddress> addresses, MacAddress gatewayMac) {
        Optional<Inet4Address> ip4 = Optional.empty();
        Optional<Inet6Address> ip6 = Optional.empty();
        for (InetAddress a : addresses) {
            boolean taken = a instanceof Inet4Address ? ip4.isPresent() : ip6.isPresent();
            if (taken) {
                throw new IllegalArgumentException("pod " + name + ": two addresses of one family in " + addresses);
            }
            if (a instanceof Inet4Address v4) {
                ip4 = Optional.of(v4);
            } else {
                ip6 = Optional.of((Inet6Address) a);
            }
        }
        return new PodSpec(name, netns, ip4, ip6, stableMac(name), DEFAULT_MTU, DEFAULT_QUEUES, DEFAULT_INTERFACE,
                gatewayMac, DEFAULT_GATEWAY4, DEFAULT_GATEWAY6);
    }

    public PodSpec withMac(MacAddress mac) {
        return new PodSpec(name, netns, ip4, ip6, mac, mtu, queues, interfaceName, gatewayMac, gateway4, gateway6);
    }

    public PodSpec withMtu(int mtu) {
        return new PodSpec(name, netns, ip4, ip6, mac, mtu, queues, interfaceName, gatewayMac, gateway4, gateway6);
    }

    public PodSpec withQueues(int queues) {
        return new PodSpec(name, netns, ip4, ip6, mac, mtu, queues, interfaceName, gatewayMac, gateway4, gateway6);
    }

    public PodSpec withInterfaceName(String interfaceName) {
        return new PodSpec(name, netns, ip4, ip6, mac, mtu, queues, interfaceName, gatewayMac, gateway4, gateway6);
    }

    public PodSpec withGateways(Inet4Address gateway4, Inet6Address gateway6) {
        return new PodSpec(name, netns, ip4, ip6, mac, mtu, queues, interfaceName, gatewayMac, gateway4, gateway6);
    }

    /**
     * {@code 02:} followed by the first 40 bits of SHA-256 of the name: locally
     * administered and unicast (IEEE 802 U/L bit set, I/G bit clear), the same on every run
     * and JVM. Two pods of a node collide with odds around n²/2⁴¹.
     */
    public static MacAddress stableMac(String podName) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(podName.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
        long value = 0x02;
        for (int i = 0; i < 5; i++) {
            value = value << 8 | (hash[i] & 0xff);
        }
        return new MacAddress(value);
    }

    /** The namespace file to open: the netns as given if absolute, else under /run/netns. */
    public String namespacePath() {
        return netns.startsWith("/") ? netns : NetNamespace.NAMED_DIRECTORY + "/" + netns;
    }

    /** The tap this pod's queues attach to. */
    public TapSpec tapSpec() {
        return TapSpec.pod(interfaceName, queues);
    }

    private static void checkNetns(String pod, String netns) {
        if (netns.startsWith("/")) {
            if (netns.length() > MAX_PATH || netns.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException(pod + "netns path \"" + netns
                        + "\" is too long or has spaces or control characters");
            }
        } else if (!NETNS_NAME.matcher(netns).matches() || netns.equals(".") || netns.equals("..")) {
            throw new IllegalArgumentException(pod + "netns \"" + netns + "\" is neither a name under "
                    + NetNamespace.NAMED_DIRECTORY + " nor an absolute path");
        }
    }

    private static void checkPodAddress(String pod, InetAddress a) {
        String why = a.isAnyLocalAddress() ? "unspecified"
                : a.isLoopbackAddress() ? "loopback"
                : a.isMulticastAddress() ? "multicast"
                : a.isLinkLocalAddress() ? "link-local"
                : a.equals(InetAddress.ofLiteral("255.255.255.255")) ? "the broadcast address"
                : a instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null) ? "scoped"
                : null;
        if (why != null) {
            throw new IllegalArgumentException(pod + "address " + a.getHostAddress() + " is " + why);
        }
    }

    private static void checkUnicast(String what, MacAddress mac) {
        if (mac.isMulticast() || mac.value() == 0) {
            throw new IllegalArgumentException(what + " " + mac + " is not a unicast address");
        }
    }

    /** dev_valid_name() in net/core/dev.c. */
    private static void checkInterfaceName(String pod, String ifname) {
        int bytes = ifname.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_INTERFACE_NAME || ifname.equals(".") || ifname.equals("..")
                || ifname.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c < ' ')) {
            throw new IllegalArgumentException(pod + "interface name \"" + ifname
                    + "\" must be 1.." + MAX_INTERFACE_NAME + " bytes without '/', ':' or spaces");
        }
    }
}
