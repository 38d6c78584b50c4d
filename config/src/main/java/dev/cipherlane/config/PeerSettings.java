package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Another node, reached through IPIP tunnels over the uplink. Several tunnels per peer
 * let ECMP spread flows over several SAs and so over several cores (Calico/VPP needed 4).
 * Identified by name: a config holds one entry per name, and a reload compares peers name
 * by name.
 *
 * @param name      peers[].name, a DNS label
 * @param addresses peers[].addresses, the peer's underlay IPv4 addresses, distinct, at least one;
 *                  tunnel i goes to address i mod their count ({@link #address(int)}), and from
 *                  local tunnel address i mod the local count
 * @param podCidrs  peers[].pod-cidrs, the prefixes of the peer's pods, routed into its tunnels;
 *                  distinct, at least one
 * @param tunnels   peers[].tunnels, how many tunnels to the peer
 * @param kind      peers[].kind: what is at the other end, which decides the traffic selectors
 *                  its SAs are negotiated with (the ESP on the wire is the same for both)
 * @param localCidrs peers[].local-cidrs: with {@link Kind#GATEWAY}, the prefixes of this node's
 *                  pods the gateway is offered; empty for a Cipherlane peer
 */
public record PeerSettings(String name, List<IpAddress> addresses, List<IpPrefix> podCidrs, int tunnels, Kind kind,
                           List<IpPrefix> localCidrs) {

    /**
     * What a peer is. Our tunnels send the pod's packet inside ESP with next header 4 (or 41),
     * which is on the wire exactly ESP tunnel mode (RFC 4301 section 5.1.2); the two kinds
     * differ only in what the SAs' traffic selectors say (RFC 7296 section 2.9).
     */
    public enum Kind {
        /**
         * Another Cipherlane node: the selectors are the tunnel's two outer addresses with
         * protocol IPIP, so one pair of SAs covers whatever pods either node has now or later.
         */
        CIPHERLANE("cipherlane"),
        /**
         * A standard IPsec gateway in tunnel mode (strongSwan, a router): it checks each
         * decrypted packet against the selectors, so they must be the pods' own prefixes, ours
         * ({@code local-cidrs}) against the ones behind it ({@code pod-cidrs}).
         */
        GATEWAY("gateway");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        /** The config's word for it. */
        public String text() {
            return text;
        }

        public static Optional<Kind> of(String text) {
            for (Kind k : values()) {
                if (k.text.equals(text)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** A Cipherlane peer. */
    public PeerSettings(String name, List<IpAddress> addresses, List<IpPrefix> podCidrs, int tunnels) {
        this(name, addresses, podCidrs, tunnels, Kind.CIPHERLANE, List.of());
    }

    public static final int MIN_TUNNELS = 1;
    /** One per worker is enough to spread a peer's traffic; MAX_WORKERS is larger but rarely used. */
    public static final int MAX_TUNNELS = 16;
    /** What a peer entry without {@code tunnels} gets, as Calico/VPP used. */
    public static final int DEFAULT_TUNNELS = 4;

    public PeerSettings {
        Objects.requireNonNull(name, "name");
        if (!PodSettings.isValidName(name)) {
            throw new IllegalArgumentException("peer name " + name + " does not match " + PodSettings.NAME_PATTERN);
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " has no address");
        }
        if (new HashSet<>(addresses).size() != addresses.size()) {
            throw new IllegalArgumentException("peer " + name + " repeats an address");
        }
        for (IpAddress address : addresses) {
            underlayProblem(address).ifPresent(reason -> {
                throw new IllegalArgumentException("peer " + name + ": address " + address + " is " + reason);
            });
        }
        podCidrs = List.copyOf(podCidrs);
        if (podCidrs.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " has no pod CIDR");
        }
        for (int i = 0; i < podCidrs.size(); i++) {
            for (int j = i + 1; j < podCidrs.size(); j++) {
                if (podCidrs.get(i).overlaps(podCidrs.get(j))) {
                    throw new IllegalArgumentException("peer " + name + ": pod CIDRs " + podCidrs.get(i) + " and "
                            + podCidrs.get(j) + " overlap");
                }
            }
        }
        Bounds.check("peer " + name + " tunnels", tunnels, MIN_TUNNELS, MAX_TUNNELS);
        Objects.requireNonNull(kind, "kind");
        localCidrs = List.copyOf(localCidrs);
        if (kind == Kind.GATEWAY && localCidrs.isEmpty()) {
            throw new IllegalArgumentException("gateway peer " + name + " has no local CIDR");
        }
        if (kind == Kind.CIPHERLANE && !localCidrs.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + ": local CIDRs are for gateway peers");
        }
        for (IpPrefix local : localCidrs) {
            for (IpPrefix theirs : podCidrs) {
                if (local.overlaps(theirs)) {
                    throw new IllegalArgumentException("peer " + name + ": local CIDR " + local + " overlaps its pod CIDR "
                            + theirs);
                }
            }
        }
    }

    /**
     * Why {@code address} cannot be a tunnel endpoint, or empty if it can. The underlay is
     * IPv4 only for now; IPv6 endpoints come later.
     */
    public static Optional<String> underlayProblem(IpAddress address) {
        if (address.family() != IpFamily.IPV4) {
            return Optional.of("IPv6 (an IPv6 underlay is not supported yet)");
        }
        return PodSettings.unusableReason(address);
    }

    /** Local tunnel ends of {@code uplink}: its own address, then its extra tunnel addresses. */
    public static int localEnds(UplinkSettings uplink) {
        return 1 + uplink.tunnelAddresses().size();
    }

    /**
     * How many tunnels with distinct address pairs {@code locals} local and {@code remotes} peer
     * addresses give when tunnel i pairs local i mod locals with remote i mod remotes: the pairs
     * repeat after lcm(locals, remotes). Tunnels must differ in their pair, since decapsulation
     * tells them apart by it.
     */
    public static int distinctPairs(int locals, int remotes) {
        int a = locals;
        int b = remotes;
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return locals / a * remotes;
    }

    /** The peer's end of tunnel {@code tunnel}, counting from 0. */
    public IpAddress address(int tunnel) {
        Objects.checkIndex(tunnel, tunnels);
        return addresses.get(tunnel % addresses.size());
    }
}
