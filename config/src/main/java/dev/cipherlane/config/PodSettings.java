package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One pod attached through a tap. Identified by name: a config holds one entry per name,
 * and a reload compares pods name by name.
 *
 * <p>{@code queues} and {@code mtu} are the pod's effective values: an entry that leaves
 * them out takes pod-network's when the config is read. Code attaching a pod needs nothing
 * else, and a changed pod-network default shows up in a reload diff on every pod it
 * reaches, which is exactly the set of taps to reconfigure.
 *
 * @param name      pods[].name, a DNS label
 * @param netns     pods[].netns, a namespace name under {@value #NETNS_DIR}, or an absolute
 *                  path such as /proc/123/ns/net; {@link #netnsPath()} resolves either
 * @param addresses pods[].addresses, one or two, at most one per family; the pod gets them as
 *                  /32 and /128
 * @param mac       pods[].mac, unicast MAC of the tap inside the pod; without one it keeps the
 *                  random MAC the kernel gave it
 * @param queues    tap queues: pods[].queues, else pod-network.queues
 * @param mtu       interface MTU: pods[].mtu, else pod-network.mtu
 */
public record PodSettings(
        String name,
        String netns,
        List<IpAddress> addresses,
        Optional<MacAddress> mac,
        int queues,
        int mtu) {

    /** RFC 1123 label, as Kubernetes names are, so a pod name fits in DNS and in log lines. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    public static final int MAX_NAME_LENGTH = 63;
    /** Where `ip netns add` and CNI runtimes bind-mount named namespaces. */
    public static final String NETNS_DIR = "/run/netns";
    /** A file name under {@link #NETNS_DIR}: NAME_MAX is 255. */
    public static final Pattern NETNS_NAME_PATTERN = Pattern.compile("[a-z0-9_.-]{1,255}");
    public static final int MIN_ADDRESSES = 1;
    /** One per family. */
    public static final int MAX_ADDRESSES = 2;

    public PodSettings {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("pod name " + name + " does not match " + NAME_PATTERN);
        }
        Objects.requireNonNull(netns, "netns");
        if (!isValidNetns(netns)) {
            throw new IllegalArgumentException("pod " + name + ": bad netns " + netns);
        }
        addresses = List.copyOf(addresses);
        if (addresses.size() < MIN_ADDRESSES || addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("pod " + name + " has " + addresses.size() + " addresses, not 1 or 2");
        }
        if (addresses.stream().map(IpAddress::family).distinct().count() != addresses.size()) {
            throw new IllegalArgumentException("pod " + name + " has two addresses of one family");
        }
        for (IpAddress address : addresses) {
            unusableReason(address).ifPresent(reason -> {
                throw new IllegalArgumentException("pod " + name + ": address " + address + " is " + reason);
            });
        }
        Objects.requireNonNull(mac, "mac");
        mac.ifPresent(address -> {
            if (address.isMulticast()) {
                throw new IllegalArgumentException("pod " + name + ": multicast MAC " + address);
            }
        });
        Bounds.check("pod " + name + " queues", queues, PodNetworkSettings.MIN_QUEUES, PodNetworkSettings.MAX_QUEUES);
        Bounds.check("pod " + name + " mtu", mtu, PodNetworkSettings.MIN_MTU, PodNetworkSettings.MAX_MTU);
    }

    public static boolean isValidName(String name) {
        return NAME_PATTERN.matcher(name).matches();
    }

    /** A name under {@link #NETNS_DIR} (not "." or ".."), or an absolute path. */
    public static boolean isValidNetns(String netns) {
        if (netns.startsWith("/")) {
            return PathText.isAbsolute(netns);
        }
        return NETNS_NAME_PATTERN.matcher(netns).matches() && !netns.equals(".") && !netns.equals("..");
    }

    /**
     * Why a pod cannot own {@code address}, or empty if it can. A pod's address is a unicast
     * address the node routes to it; these are the ones no routing can deliver to one pod.
     * IPv4-mapped IPv6 addresses only stand for IPv4 peers (RFC 4291 section 2.5.5.2).
     */
    public static Optional<String> unusableReason(IpAddress address) {
        if (address.isUnspecified()) {
            return Optional.of("unspecified");
        }
        if (address.isMulticast()) {
            return Optional.of("multicast");
        }
        if (address.isLoopback()) {
            return Optional.of("loopback");
        }
        if (address.isLinkLocal()) {
            return Optional.of("link-local");
        }
        if (address.isLimitedBroadcast()) {
            return Optional.of("the broadcast address");
        }
        if (address.isIpv4Mapped()) {
            return Optional.of("IPv4-mapped");
        }
        return Optional.empty();
    }

    /** The namespace file to open for setns(2). */
    public Path netnsPath() {
        return resolveNetns(netns);
    }

    /** The file a valid {@code netns} setting names: itself if absolute, else under {@link #NETNS_DIR}. */
    public static Path resolveNetns(String netns) {
        return netns.startsWith("/") ? Path.of(netns) : Path.of(NETNS_DIR, netns);
    }

    /** The pod's address of {@code family}, if it has one. */
    public Optional<IpAddress> address(IpFamily family) {
        return addresses.stream().filter(address -> address.family() == family).findFirst();
    }
}
