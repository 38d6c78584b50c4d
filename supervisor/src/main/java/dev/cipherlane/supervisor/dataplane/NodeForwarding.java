package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.neighbour.AdjacencyResolver;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.neighbour.AdjacencyResolver;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's forwarding state on the control side, and what workers read of it. Built once
 * from the pods, the taken-over uplink and the peers:
 *
 * <ul>
 *   <li>each pod address: a host route to a complete rewrite toward the pod's MAC (known from
 *       its tap, so no resolution, as Calico/VPP's L2 tap mode);
 *   <li>each node address and tunnel source: a local /32 (/128); each node subnet: a glean
 *       route on the uplink, resolved by ARP as packets need it;
 *   <li>each peer: its tunnels, tunnel i from local source i mod n to peer address i mod m
 *       (reference.conf), each reaching the peer through an underlay neighbour adjacency on the
 *       uplink; the peer's pod CIDRs route to one load balancer over the tunnel adjacencies, so
 *       the symmetric flow hash keeps a flow, and its reverse, on one tunnel.
 * </ul>
 *
 * <p>Peer addresses must be on one of the uplink's subnets: the underlay is one L2 segment here,
 * as between the nodes of a cluster; a routed underlay needs the uplink's routes, which are not
 * read yet.
 *
 * <p>With them, the ingress filter the lookups judge sources by (RFC 4301 section 5.2): each pod
 * tap its pod's addresses, the uplink and host tap their roles, each tunnel its peer, whose
 * pod CIDRs are the FIB routes to that peer's tunnels.
 *
 * <p>Pods come and go on a running node ({@link #addPod}, {@link #removePod}): their routes,
 * rewrites, ingress rules and permanent neighbour entries are made and unmade here, and the
 * workers see the next published tables.
 *
 * <p>Threading: the control side (building, {@link #resolve()}, {@link #protect}, pods) is
 * guarded by this object's monitor, as the forwarding controller, the tunnels' actors and the
 * interface manager all change it; workers read {@link #tables()} and {@link #tunnels()}, each
 * one volatile read per frame.
 */
public final class NodeForwarding {
    /** A tunnel as {@code show tunnels} names it. */
    public record TunnelInfo(int index, String peer, int ordinal, int local, int remote) {}

    /** ff02::1:ff00:0, the solicited-node multicast prefix (RFC 4291 section 2.7.1). */
    static final long SOLICITED_NODE_HI = 0xFF02_0000_0000_0000L;
    static final long SOLICITED_NODE_LO = 0x0000_0001_FF00_0000L;

    private final AdjacencyTable adjacencies = new AdjacencyTable();
    private final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
    private final Ip4Fib fib4 = new Ip4Fib(loadBalances);
    private final Ip6Fib fib6 = new Ip6Fib(loadBalances);
    private final TunnelTable tunnelTable = new TunnelTable();
    private final List<TunnelInfo> tunnelInfo = new ArrayList<>();
    /** What each pod's routes are made of, so that removing the pod unmakes exactly them. */
    private record PodRoutes(PodPort pod, int lb4, int adj4, int lb6, int adj6) {}

    private static final int NONE = -1;

    /** A tunnel and the adjacency its peer's load balancer reaches it by. */
    private record TunnelRoute(TunnelInfo info, int adjacency) {}

    /** A peer: its number in the ingress rules, its tunnels in ordinal order, its pod CIDRs' load balancer. */
    private static final class PeerRoutes {
        private final int number;
        private final List<TunnelRoute> tunnels;
        int lb = -1;
        List<IpPrefix> cidrs = List.of();

        PeerRoutes(int number, List<TunnelRoute> tunnels) {
            this.number = number;
            this.tunnels = tunnels;
        }

        int number() {
            return number;
        }

        List<TunnelRoute> tunnels() {
            return tunnels;
        }

        int[] adjacencies(int count) {
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[i] = tunnels.get(i).adjacency();
            }
            return out;
        }
    }

    private final Map<String, PeerRoutes> peerRoutes = new java.util.LinkedHashMap<>();
    private final Map<Integer, Integer> underlayOf = new HashMap<>();
    private UplinkInterface uplink;
    /** Numbers peers in the ingress rules; never reused, so a tunnel left over cannot pass as another peer's. */
    private int nextPeerNumber;

    private final Map<String, PodRoutes> pods = new java.util.LinkedHashMap<>();
    private final IngressFilter.Builder ingressRules = IngressFilter.builder();
    private long gatewayMac;
    private NeighbourTable neighbours;
    private AdjacencyResolver resolver;
    private volatile ForwardingTables tables;
    private volatile TunnelTable.Snapshot tunnels;
    private volatile IngressFilter ingress;

    private NodeForwarding() {}

    /**
     * Builds the tables.
     *
     * @param uplink the taken-over uplink, or empty for a node that only connects its pods (and
     *               then has no peers)
     */
    public static NodeForwarding build(List<PodPort> pods, long gatewayMac, Optional<UplinkInterface> uplink,
            List<PeerSettings> peers) {
        NodeForwarding f = new NodeForwarding();
        f.gatewayMac = gatewayMac;
        for (PodPort pod : pods) {
            f.routePod(pod);
        }
        if (uplink.isPresent()) {
            f.addUplink(uplink.get());
            f.addPeers(uplink.get(), peers);
        } else if (!peers.isEmpty()) {
            throw new IllegalArgumentException("peers need an uplink");
        }
        f.publish();
        return f;
    }

    private void routePod(PodPort pod) {
        if (pods.containsKey(pod.name())) {
            throw new IllegalArgumentException("pod " + pod.name() + " is already attached");
        }
        byte[] src = new MacAddress(gatewayMac).octets();
        byte[] dst = new MacAddress(pod.podMac()).octets();
        int itf = pod.interfaceIndex();
        // A pod sends from its own addresses only (RFC 4301 section 5.2).
        ingressRules.pod(itf);
        pod.ip4().ifPresent(a -> ingressRules.pod4(itf, a));
        pod.ip6().ifPresent(a -> ingressRules.pod6(itf, a[0], a[1]));
        int adj4 = NONE;
        int lb4 = NONE;
        if (pod.ip4().isPresent()) {
            int a = pod.ip4().get();
            adj4 = adjacencies.addRewrite4(itf, a, src, dst);
            lb4 = loadBalances.create(adj4);
            fib4.add(a, 32, lb4);
        }
        int adj6 = NONE;
        int lb6 = NONE;
        if (pod.ip6().isPresent()) {
            long[] a = pod.ip6().get();
            adj6 = adjacencies.addRewrite6(itf, a[0], a[1], src, dst);
            lb6 = loadBalances.create(adj6);
            fib6.add(a[0], a[1], 128, lb6);
        }
        pods.put(pod.name(), new PodRoutes(pod, lb4, adj4, lb6, adj6));
    }

    /**
     * Routes to {@code pod}, attached on a running node, and lets it send; workers see it from
     * their next frame. Its MAC comes from its tap, so its neighbour entries are permanent.
     */
    public synchronized void addPod(PodPort pod) {
        routePod(pod);
        if (neighbours != null) {
            addStatics(pod, System.nanoTime());
            resolver.reconcile();
        }
        publish();
    }

    /**
     * Unroutes pod {@code name}: its routes, rewrites, ingress rule and neighbour entries go,
     * and workers stop sending to it from their next frame. Returns the pod, or empty if it
     * was not attached.
     */
    public synchronized Optional<PodPort> removePod(String name) {
        PodRoutes r = pods.remove(name);
        if (r == null) {
            return Optional.empty();
        }
        PodPort pod = r.pod();
        // Route first, then what it led to: a load balancer or adjacency in use cannot go.
        pod.ip4().ifPresent(a -> fib4.remove(a, 32));
        pod.ip6().ifPresent(a -> fib6.remove(a[0], a[1], 128));
        if (r.lb4() != NONE) {
            loadBalances.remove(r.lb4());
            adjacencies.remove(r.adj4());
        }
        if (r.lb6() != NONE) {
            loadBalances.remove(r.lb6());
            adjacencies.remove(r.adj6());
        }
        ingressRules.forget(pod.interfaceIndex());
        if (neighbours != null) {
            pod.ip4().ifPresent(a -> neighbours.remove4(pod.interfaceIndex(), a));
            pod.ip6().ifPresent(a -> neighbours.remove6(pod.interfaceIndex(), a[0], a[1]));
        }
        publish();
        return Optional.of(pod);
    }

    /** The attached pods, in the order they came. */
    public synchronized List<PodPort> pods() {
        List<PodPort> out = new ArrayList<>();
        for (PodRoutes r : pods.values()) {
            out.add(r.pod());
        }
        return out;
    }

    private void addStatics(PodPort pod, long now) {
        pod.ip4().ifPresent(a -> neighbours.addStatic4(pod.interfaceIndex(), a, pod.podMac(), now));
        pod.ip6().ifPresent(a -> neighbours.addStatic6(pod.interfaceIndex(), a[0], a[1], pod.podMac(), now));
    }

    private void addUplink(UplinkInterface up) {
        ingressRules.uplink(up.index()).host(up.hostIndex());
        for (NetInterface.Ip4Address a : up.ip4()) {
            int subnet = a.address() & Prefixes.mask4(a.prefixLength());
            if (a.prefixLength() < 32 && fib4.get(subnet, a.prefixLength()) < 0) {
                fib4.add(subnet, a.prefixLength(), loadBalances.create(adjacencies.addGlean4(up.index())));
            }
            fib4.add(a.address(), 32, loadBalances.create(adjacencies.addLocal4(up.index(), a.address())));
        }
        for (int source : up.tunnelSources()) {
            fib4.add(source, 32, loadBalances.create(adjacencies.addLocal4(up.index(), source)));
        }
        for (NetInterface.Ip6Address a : up.ip6()) {
            long hi = a.hi() & Prefixes.mask6Hi(a.prefixLength());
            long lo = a.lo() & Prefixes.mask6Lo(a.prefixLength());
            if (a.prefixLength() < 128 && fib6.get(hi, lo, a.prefixLength()) < 0) {
                fib6.add(hi, lo, a.prefixLength(), loadBalances.create(adjacencies.addGlean6(up.index())));
            }
            fib6.add(a.hi(), a.lo(), 128, loadBalances.create(adjacencies.addLocal6(up.index(), a.hi(), a.lo())));
        }
        if (!up.ip6().isEmpty()) {
            // Neighbour solicitations for our addresses go to their solicited-node groups
            // (RFC 4861 section 7.2.1): all of ff02::1:ff00:0/104 is local, and ip6-nd-input
            // checks the target against the interface's addresses.
            fib6.add(SOLICITED_NODE_HI, SOLICITED_NODE_LO, 104,
                    loadBalances.create(adjacencies.addLocal6(up.index(), SOLICITED_NODE_HI, SOLICITED_NODE_LO)));
        }
    }

    private void addPeers(UplinkInterface up, List<PeerSettings> peers) {
        this.uplink = up;
        for (PeerSettings peer : peers) {
            makePeer(peer);
            routePeer(peer);
        }
    }

    /** The peer's tunnels, made but carrying nothing: no route leads to them yet. */
    private List<TunnelInfo> makePeer(PeerSettings peer) {
        if (peerRoutes.containsKey(peer.name())) {
            throw new IllegalArgumentException("peer " + peer.name() + " exists");
        }
        PeerRoutes r = new PeerRoutes(nextPeerNumber++, new ArrayList<>());
        peerRoutes.put(peer.name(), r);
        List<TunnelInfo> made = new ArrayList<>();
        for (int i = 0; i < peer.tunnels(); i++) {
            made.add(addTunnel(r, peer, i));
        }
        return made;
    }

    /** The peer's pod CIDRs, routed to one load balancer over all its tunnels. */
    private void routePeer(PeerSettings peer) {
        PeerRoutes r = peerRoutes(peer.name());
        r.lb = loadBalances.create(r.adjacencies(r.tunnels().size()));
        r.cidrs = List.copyOf(peer.podCidrs());
        for (IpPrefix cidr : r.cidrs) {
            IpAddress n = cidr.network();
            if (cidr.family() == IpFamily.IPV4) {
                fib4.add((int) n.low(), cidr.length(), r.lb);
            } else {
                fib6.add(n.high(), n.low(), cidr.length(), r.lb);
            }
        }
    }

    private void unroutePeer(PeerRoutes r) {
        for (IpPrefix cidr : r.cidrs) {
            IpAddress n = cidr.network();
            if (cidr.family() == IpFamily.IPV4) {
                fib4.remove((int) n.low(), cidr.length());
            } else {
                fib6.remove(n.high(), n.low(), cidr.length());
            }
        }
        r.cidrs = List.of();
        if (r.lb >= 0) {
            loadBalances.remove(r.lb);
            r.lb = -1;
        }
    }

    /**
     * A peer added on the running node, first step: its tunnels are made (tables, ingress) and
     * returned for the caller to protect; {@link #routePeerLive} then routes its pod CIDRs.
     */
    public synchronized List<TunnelInfo> addPeer(PeerSettings peer) {
        List<TunnelInfo> made = makePeer(peer);
        if (resolver != null) {
            resolver.pinNextHops(System.nanoTime());
            resolver.reconcile();
        }
        publish();
        return made;
    }

    /** Routes an added peer's pod CIDRs into its tunnels: traffic flows from the next frame. */
    public synchronized void routePeerLive(PeerSettings peer) {
        routePeer(peer);
        publish();
    }

    /** Routes {@code peer}'s pod CIDRs as it now has them, over the tunnels it has. */
    public synchronized void rerouteCidrs(PeerSettings peer) {
        PeerRoutes r = peerRoutes(peer.name());
        unroutePeer(r);
        routePeer(peer);
        publish();
    }

    /**
     * A peer removed, first step: no route leads to it any more. Returns its tunnels, to
     * unprotect once no worker can still be sending into them, then {@link #dropPeer}.
     */
    public synchronized List<TunnelInfo> unroutePeer(String peer) {
        PeerRoutes r = peerRoutes(peer);
        unroutePeer(r);
        publish();
        return r.tunnels().stream().map(TunnelRoute::info).toList();
    }

    /** A peer removed, last step: its tunnels are unmade and admit nothing. */
    public synchronized void dropPeer(String peer) {
        dropTunnels(peer, 0);
        peerRoutes.remove(peer);
    }

    /** Tunnel {@code i} of {@code peer}: from local source i mod n to peer address i mod m. */
    private TunnelInfo addTunnel(PeerRoutes r, PeerSettings peer, int i) {
        UplinkInterface up = uplink;
        List<Integer> locals = up.tunnelLocals();
        int local = locals.get(i % locals.size());
        int remote = (int) peer.address(i).low();
        if (!onLink(up, remote)) {
            throw new IllegalArgumentException("peer " + peer.name() + ": address " + peer.address(i)
                    + " is not on a subnet of uplink " + up.name() + " (a routed underlay is not supported)");
        }
        int underlay = underlayOf.computeIfAbsent(remote,
                a -> adjacencies.addNeighbor4(up.index(), a, new MacAddress(up.mac()).octets()));
        int tunnel = tunnelTable.add(local, remote, underlay, up.index(), up.mtu());
        TunnelInfo info = new TunnelInfo(tunnel, peer.name(), i, local, remote);
        tunnelInfo.add(info);
        // What comes out of this tunnel must come from this peer's pod CIDRs.
        ingressRules.tunnel(tunnel, r.number());
        r.tunnels().add(new TunnelRoute(info, adjacencies.addTunnel(tunnel)));
        return info;
    }

    /**
     * A peer's tunnel count raised live, first step: tunnels {@code peer.tunnels()} had not yet
     * are made (tables, ingress) but carry nothing until {@link #balance}, so the caller can
     * protect them first. Returns them.
     */
    public synchronized List<TunnelInfo> addTunnels(PeerSettings peer) {
        PeerRoutes r = peerRoutes(peer.name());
        List<TunnelInfo> added = new ArrayList<>();
        for (int i = r.tunnels().size(); i < peer.tunnels(); i++) {
            added.add(addTunnel(r, peer, i));
        }
        if (resolver != null) {
            resolver.pinNextHops(System.nanoTime());
            resolver.reconcile();
        }
        publish();
        return added;
    }

    /**
     * Spreads {@code peer}'s pod CIDRs over its first {@code tunnels} tunnels (all made ones,
     * or fewer before {@link #dropTunnels}); the flow hash then moves some flows to or from the
     * changed tunnels. Returns the tunnels now left out.
     */
    public synchronized List<TunnelInfo> balance(String peer, int tunnels) {
        PeerRoutes r = peerRoutes(peer);
        if (tunnels < 1 || tunnels > r.tunnels().size()) {
            throw new IllegalArgumentException("peer " + peer + ": cannot balance over " + tunnels + " of its "
                    + r.tunnels().size() + " tunnels");
        }
        loadBalances.update(r.lb, r.adjacencies(tunnels));
        publish();
        List<TunnelInfo> out = new ArrayList<>();
        for (int i = tunnels; i < r.tunnels().size(); i++) {
            out.add(r.tunnels().get(i).info());
        }
        return out;
    }

    /**
     * A peer's tunnel count lowered live, last step: its tunnels from ordinal {@code tunnels} on,
     * left out of its load balancer by {@link #balance} and unprotected, are unmade.
     */
    public synchronized void dropTunnels(String peer, int tunnels) {
        PeerRoutes r = peerRoutes(peer);
        while (r.tunnels().size() > tunnels) {
            // Its adjacency must be out of the load balancer first (balance), or unroutePeer.
            TunnelRoute t = r.tunnels().removeLast();
            adjacencies.remove(t.adjacency());
            tunnelTable.remove(t.info().index());
            ingressRules.forgetTunnel(t.info().index());
            tunnelInfo.remove(t.info());
        }
        publish();
    }

    private PeerRoutes peerRoutes(String peer) {
        PeerRoutes r = peerRoutes.get(peer);
        if (r == null) {
            throw new IllegalArgumentException("no peer named " + peer);
        }
        return r;
    }

    private static boolean onLink(UplinkInterface up, int address) {
        for (NetInterface.Ip4Address a : up.ip4()) {
            int mask = Prefixes.mask4(a.prefixLength());
            if ((a.address() & mask) == (address & mask)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts following {@code neighbours}: underlay adjacencies complete as ARP answers arrive.
     * {@code wakeup} runs on a worker and must only schedule {@link #resolve()} on the control thread.
     */
    public synchronized void follow(NeighbourTable neighbours, Runnable wakeup) {
        // The pods' MACs come from their taps: permanent entries, or the resolver would take
        // their rewrites for unresolved neighbours (AdjacencyResolver: the table is the truth).
        this.neighbours = neighbours;
        long now = System.nanoTime();
        for (PodRoutes r : pods.values()) {
            addStatics(r.pod(), now);
        }
        resolver = new AdjacencyResolver(adjacencies, neighbours, wakeup);
        if (resolver.reconcile()) {
            publish();
        }
    }

    /** Control thread: applies neighbour changes; publishes new tables if an adjacency changed. */
    public synchronized boolean resolve() {
        if (resolver != null && resolver.apply()) {
            publish();
            return true;
        }
        return false;
    }

    /**
     * Control thread: protects {@code tunnel} with ESP, or swaps its SAs (see
     * {@link TunnelTable#protect}); workers see it from their next frame.
     */
    public synchronized void protect(int tunnel, int outboundSa, int[] inboundSas, int overhead) {
        tunnelTable.protect(tunnel, outboundSa, inboundSas, overhead);
        publish();
    }

    private void publish() {
        tables = ForwardingTables.capture(fib4, fib6, loadBalances, adjacencies);
        tunnels = tunnelTable.snapshot();
        ingress = ingressRules.build();
    }

    public ForwardingTables tables() {
        return tables;
    }

    public TunnelTable.Snapshot tunnels() {
        return tunnels;
    }

    /** What the lookups judge sources by: pods' addresses, the uplink and host tap, tunnels' peers. */
    public IngressFilter ingress() {
        return ingress;
    }

    /** The tunnels, in the order they were made. */
    public synchronized List<TunnelInfo> tunnelInfo() {
        return List.copyOf(tunnelInfo);
    }

    /** The underlay adjacency of {@code tunnel} is complete (its next hop answered ARP). */
    public boolean underlayResolved(int tunnel) {
        ForwardingTables t = tables;
        return t.adjacencies().kind(tunnels.underlayAdjacency(tunnel)) == AdjacencyKind.REWRITE;
    }
}
