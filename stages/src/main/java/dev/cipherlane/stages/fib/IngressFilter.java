package dev.cipherlane.stages.fib;

import java.util.Arrays;

/**
 * What may come in where (RFC 4301 section 5.2, RFC 3704 strict reverse path): the role of each
 * interface, the addresses each pod may send from, and the peer each tunnel leads to. Built by
 * the control plane once per change and published whole; {@code ip4-lookup} and
 * {@code ip6-lookup} read it once per frame, next to the {@link ForwardingTables}.
 *
 * <p>Interfaces and tunnels are named by their dense indexes, so every question is an array
 * read; an index the filter was not built with is {@link Role#UNCHECKED} (interfaces) or has no
 * peer (tunnels), and a tunnel without a peer admits nothing.
 *
 * <p>{@link #NONE} checks nothing: graphs built without a control plane (unit tests of other
 * stages, the demo's bare graph, benchmarks) keep routing on the destination alone.
 */
public final class IngressFilter {
    /** How packets received on an interface are judged. */
    public enum Role {
        /** Not judged: an interface the filter does not know about. */
        UNCHECKED,
        /** A pod's tap: the pod's own addresses only (RFC 4301 section 5.2, RFC 3704 section 2.2). */
        POD,
        /** The taken-over uplink: clear traffic, never from a peer's pods, never into a tunnel. */
        UPLINK,
        /** The host tap: the node's kernel, which may reach anything but a tunnel. */
        HOST
    }

    /** Peer of a tunnel index the filter does not know. */
    public static final int NO_PEER = -1;

    /** Checks nothing. */
    public static final IngressFilter NONE = new IngressFilter(false, new byte[0], new int[0], new long[0],
            new long[0], new byte[0], new int[0]);

    private static final byte HAS_IP4 = 1;
    private static final byte HAS_IP6 = 2;
    private static final Role[] ROLES = Role.values();

    private final boolean checksTunnels;
    private final byte[] roles;
    private final int[] pod4;
    private final long[] pod6Hi;
    private final long[] pod6Lo;
    private final byte[] podHas;
    private final int[] peerOfTunnel;

    private IngressFilter(boolean checksTunnels, byte[] roles, int[] pod4, long[] pod6Hi, long[] pod6Lo,
                          byte[] podHas, int[] peerOfTunnel) {
        this.checksTunnels = checksTunnels;
        this.roles = roles;
        this.pod4 = pod4;
        this.pod6Hi = pod6Hi;
        this.pod6Lo = pod6Lo;
        this.podHas = podHas;
        this.peerOfTunnel = peerOfTunnel;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The role of interface {@code itf}; UNCHECKED for one the filter does not know. */
    public Role role(int itf) {
        return itf >= 0 && itf < roles.length ? ROLES[roles[itf]] : Role.UNCHECKED;
    }

    /** Whether {@code itf} is a pod's tap. */
    public boolean isPod(int itf) {
        return itf >= 0 && itf < roles.length && roles[itf] == Role.POD.ordinal();
    }

    /** Whether decapsulated packets are judged at all ({@link #NONE} does not). */
    public boolean checksTunnels() {
        return checksTunnels;
    }

    /** Whether pod {@code itf} may send from IPv4 {@code source}; false for any other interface. */
    public boolean podSends4(int itf, int source) {
        return isPod(itf) && (podHas[itf] & HAS_IP4) != 0 && pod4[itf] == source;
    }

    /** Whether pod {@code itf} may send from IPv6 {@code hi:lo} (its one global address). */
    public boolean podSends6(int itf, long hi, long lo) {
        return isPod(itf) && (podHas[itf] & HAS_IP6) != 0 && pod6Hi[itf] == hi && pod6Lo[itf] == lo;
    }

    /** The peer tunnel {@code tunnel} leads to, or {@link #NO_PEER}. */
    public int peerOf(int tunnel) {
        return tunnel >= 0 && tunnel < peerOfTunnel.length ? peerOfTunnel[tunnel] : NO_PEER;
    }

    /** Collects roles, pod addresses and tunnel peers; {@link #build} makes the immutable filter. */
    public static final class Builder {
        private byte[] roles = new byte[0];
        private int[] pod4 = new int[0];
        private long[] pod6Hi = new long[0];
        private long[] pod6Lo = new long[0];
        private byte[] podHas = new byte[0];
        private int[] peerOfTunnel = new int[0];

        private Builder() {}

        /** Interface {@code itf} is the uplink. */
        public Builder uplink(int itf) {
            return role(itf, Role.UPLINK);
        }

        /** Interface {@code itf} is the host tap. */
        public Builder host(int itf) {
            return role(itf, Role.HOST);
        }

        /** Interface {@code itf} is a pod's tap; it may send from nothing until given addresses. */
        public Builder pod(int itf) {
            return role(itf, Role.POD);
        }

        /** Pod {@code itf} may send from IPv4 {@code address}. */
        public Builder pod4(int itf, int address) {
            pod(itf);
            pod4[itf] = address;
            podHas[itf] |= HAS_IP4;
            return this;
        }

        /** Pod {@code itf} may send from IPv6 {@code hi:lo}. */
        public Builder pod6(int itf, long hi, long lo) {
            pod(itf);
            pod6Hi[itf] = hi;
            pod6Lo[itf] = lo;
            podHas[itf] |= HAS_IP6;
            return this;
        }

        /** Interface {@code itf} is gone (a pod removed from a running node): it is judged as unknown again. */
        public Builder forget(int itf) {
            if (itf >= 0 && itf < roles.length) {
                roles[itf] = (byte) Role.UNCHECKED.ordinal();
                pod4[itf] = 0;
                pod6Hi[itf] = 0;
                pod6Lo[itf] = 0;
                podHas[itf] = 0;
            }
            return this;
        }

        /** Tunnel {@code tunnel} is gone (a peer's tunnel count lowered live): it admits nothing again. */
        public Builder forgetTunnel(int tunnel) {
            if (tunnel >= 0 && tunnel < peerOfTunnel.length) {
                peerOfTunnel[tunnel] = NO_PEER;
            }
            return this;
        }

        /** Tunnel {@code tunnel} leads to peer {@code peer} (any number the caller keeps per peer, >= 0). */
        public Builder tunnel(int tunnel, int peer) {
            if (tunnel < 0 || peer < 0) {
                throw new IllegalArgumentException("tunnel " + tunnel + ", peer " + peer + ": both must be >= 0");
            }
            if (tunnel >= peerOfTunnel.length) {
                int old = peerOfTunnel.length;
                peerOfTunnel = Arrays.copyOf(peerOfTunnel, tunnel + 1);
                Arrays.fill(peerOfTunnel, old, peerOfTunnel.length, NO_PEER);
            }
            peerOfTunnel[tunnel] = peer;
            return this;
        }

        private Builder role(int itf, Role role) {
            if (itf < 0) {
                throw new IllegalArgumentException("interface index " + itf);
            }
            if (itf >= roles.length) {
                int n = itf + 1;
                roles = Arrays.copyOf(roles, n);
                pod4 = Arrays.copyOf(pod4, n);
                pod6Hi = Arrays.copyOf(pod6Hi, n);
                pod6Lo = Arrays.copyOf(pod6Lo, n);
                podHas = Arrays.copyOf(podHas, n);
            }
            if (roles[itf] != Role.UNCHECKED.ordinal() && roles[itf] != role.ordinal()) {
                throw new IllegalArgumentException("interface " + itf + " is already " + ROLES[roles[itf]]
                        + ", not " + role);
            }
            roles[itf] = (byte) role.ordinal();
            return this;
        }

        public IngressFilter build() {
            return new IngressFilter(true, roles.clone(), pod4.clone(), pod6Hi.clone(), pod6Lo.clone(),
                    podHas.clone(), peerOfTunnel.clone());
        }
    }
}
