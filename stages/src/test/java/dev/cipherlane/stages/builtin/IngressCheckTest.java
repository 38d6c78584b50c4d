package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.IngressTestNetwork.HOST;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.NODE_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER0_POD;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER0_POD6;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.PEER1_POD;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD0_IP6;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD1;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.POD1_IP4;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.UNDERLAY_NEIGHBOUR;
import static dev.cipherlane.stages.builtin.IngressTestNetwork.UPLINK;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.testing.StageHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingress checks of {@code ip4-lookup} and {@code ip6-lookup} (RFC 4301 section 5.2, RFC
 * 3704 strict reverse path) on {@link IngressTestNetwork}: each packet either leaves on the arc
 * its destination calls for or is dropped under the reason for its refusal.
 */
class IngressCheckTest {
    private static final String[] ARCS = {"rewrite", "local", "glean", "punt", "tunnel"};
    private static final int NO_TUNNEL = -1;

    private StageHarness h;

    /** The network under test; {@link Ip4CachedIngressCheckTest} runs these tests with the other lookup. */
    IngressTestNetwork network() {
        return new IngressTestNetwork();
    }

    @BeforeEach
    void harness() {
        IngressTestNetwork net = network();
        h = new StageHarness(net.ip4Lookup(), net.ip6Lookup());
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void aPodSendsFromItsOwnAddressAnywhereButFromNoOtherAddress() {
        assertEquals("tunnel", send4(POD0, POD0_IP4, PEER0_POD));
        assertEquals("local", send4(POD0, POD0_IP4, NODE_IP4));
        assertEquals("rewrite", send4(POD1, POD1_IP4, POD0_IP4));
        assertEquals("pod source not its own", send4(POD0, POD1_IP4, PEER0_POD));
        assertEquals("pod source not its own", send4(POD0, PEER0_POD, POD1_IP4));
        assertEquals("pod source not its own", send4(POD1, POD0_IP4, NODE_IP4));
        assertEquals("pod source not its own", send4(POD0, NODE_IP4, PEER0_POD));
        assertEquals("pod source not its own", send4(POD0, 0, NODE_IP4));
    }

    @Test
    void aPodSendsIpv6FromItsOwnAddressAndLinkScopedSourcesOnlyOnTheLink() {
        byte[] linkLocal = Ip6TestPackets.addr("fe80::7");
        byte[] unspecified = new byte[16];
        byte[] solicited = Ip6TestPackets.addr("ff02::1:ff00:1");
        assertEquals("tunnel", send6(POD0, POD0_IP6, PEER0_POD6));
        // Neighbour discovery from the link-local address, and duplicate address detection from ::.
        assertEquals("local", send(Ip6Lookup.NAME, NeighbourDiscoveryTestPackets.ns(linkLocal, solicited,
                POD0_IP6, null), POD0, 0, NO_TUNNEL));
        assertEquals("local", send(Ip6Lookup.NAME, NeighbourDiscoveryTestPackets.ns(unspecified, solicited,
                POD0_IP6, null), POD0, 0, NO_TUNNEL));
        assertEquals("pod source not its own", send6(POD0, Ip6TestPackets.addr("fd01::8"), PEER0_POD6));
        assertEquals("pod source not its own", send6(POD0, linkLocal, PEER0_POD6));
        assertEquals("pod source not its own", send6(POD0, unspecified, PEER0_POD6));
        assertEquals("pod source not its own", send6(POD0, linkLocal, Ip6TestPackets.addr("ff0e::1")));
        assertEquals("pod source not its own", send6(POD1, POD0_IP6, PEER0_POD6), "pod1 has no IPv6 address");
    }

    @Test
    void clearTrafficFromTheUplinkReachesTheNodeAndPodsButNeverComesFromPodsNorEntersTunnels() {
        assertEquals("local", send4(UPLINK, UNDERLAY_NEIGHBOUR, NODE_IP4));
        assertEquals("rewrite", send4(UPLINK, UNDERLAY_NEIGHBOUR, POD0_IP4));
        assertEquals("rewrite", send4(UPLINK, addr(192, 0, 2, 1), POD0_IP4), "a source with no route");
        assertEquals("clear packet from a peer pod cidr", send4(UPLINK, PEER0_POD, POD0_IP4));
        assertEquals("clear packet from a peer pod cidr", send4(UPLINK, PEER1_POD, NODE_IP4));
        assertEquals("clear packet from a local pod address", send4(UPLINK, POD1_IP4, POD0_IP4));
        assertEquals("clear packet into a tunnel", send4(UPLINK, UNDERLAY_NEIGHBOUR, PEER0_POD));
        assertEquals("clear packet into a tunnel", send4(UPLINK, UNDERLAY_NEIGHBOUR, PEER1_POD));
        byte[] neighbour6 = Ip6TestPackets.addr("fd00::2");
        assertEquals("rewrite", send6(UPLINK, neighbour6, POD0_IP6));
        assertEquals("clear packet from a peer pod cidr", send6(UPLINK, PEER0_POD6, POD0_IP6));
        assertEquals("clear packet into a tunnel", send6(UPLINK, neighbour6, PEER0_POD6));
    }

    @Test
    void theHostReachesPodsAndTheUplinkButNoTunnel() {
        assertEquals("rewrite", send4(HOST, NODE_IP4, POD0_IP4));
        assertEquals("glean", send4(HOST, NODE_IP4, UNDERLAY_NEIGHBOUR));
        assertEquals("host packet into a tunnel", send4(HOST, NODE_IP4, PEER0_POD));
        assertEquals("host packet into a tunnel", send6(HOST, Ip6TestPackets.addr("fd00::1"), PEER0_POD6));
    }

    @Test
    void aDecapsulatedPacketComesFromItsPeersPodsToOurPods() {
        // Tunnel 1 leads to peer 0; its CIDR routes over tunnels 0 and 1 (ECMP), either is that peer.
        assertEquals("rewrite", decap4(1, PEER0_POD, POD0_IP4));
        assertEquals("rewrite", decap4(0, PEER0_POD, POD1_IP4));
        assertEquals("rewrite", decap6(0, PEER0_POD6, POD0_IP6));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(1, PEER1_POD, POD0_IP4));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(2, PEER0_POD, POD0_IP4));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(1, UNDERLAY_NEIGHBOUR, POD0_IP4));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(1, POD1_IP4, POD0_IP4));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(1, NODE_IP4, POD0_IP4));
        assertEquals("tunnel source outside the peer pod cidrs", decap4(7, PEER0_POD, POD0_IP4), "unknown tunnel");
        assertEquals("tunnel source outside the peer pod cidrs",
                decap6(0, Ip6TestPackets.addr("fd00::2"), POD0_IP6));
        assertEquals("tunnel destination not a local pod", decap4(1, PEER0_POD, NODE_IP4));
        assertEquals("tunnel destination not a local pod", decap4(1, PEER0_POD, PEER1_POD));
        assertEquals("tunnel destination not a local pod", decap4(1, PEER0_POD, addr(10, 2, 0, 9)));
        assertEquals("tunnel destination not a local pod", decap4(1, PEER0_POD, UNDERLAY_NEIGHBOUR));
        assertEquals("tunnel destination not a local pod", decap6(0, PEER0_POD6, Ip6TestPackets.addr("fd00::1")));
    }

    @Test
    void packetsTheNodeBuiltAreNotJudged() {
        // An ICMP error answering a pod comes from the pod's gateway, on the pod's rx interface.
        assertEquals("rewrite", send(Ip4Lookup.NAME, udp4(addr(169, 254, 1, 1), POD0_IP4, 64), POD0,
                PacketFlags.ORIGINATED, NO_TUNNEL));
        assertEquals("tunnel", send(Ip4Lookup.NAME, udp4(NODE_IP4, PEER0_POD, 64), UPLINK,
                PacketFlags.ORIGINATED, NO_TUNNEL));
    }

    private String send4(int rx, int source, int destination) {
        return send(Ip4Lookup.NAME, udp4(source, destination, 64), rx, 0, NO_TUNNEL);
    }

    private String send6(int rx, byte[] source, byte[] destination) {
        return send(Ip6Lookup.NAME, udp6(source, destination, 40000, 53, 64, 32), rx, PacketFlags.IP6, NO_TUNNEL);
    }

    private String decap4(int tunnel, int source, int destination) {
        return send(Ip4Lookup.NAME, udp4(source, destination, 64), UPLINK, PacketFlags.DECAPSULATED, tunnel);
    }

    private String decap6(int tunnel, byte[] source, byte[] destination) {
        return send(Ip6Lookup.NAME, udp6(source, destination, 40000, 53, 64, 32), UPLINK,
                PacketFlags.DECAPSULATED | PacketFlags.IP6, tunnel);
    }

    /** Runs one packet through {@code stage}; returns the arc it left on or the reason it was dropped. */
    private String send(String stage, byte[] packet, int rx, int flags, int tunnel) {
        int bi = h.packet(packet, rx);
        h.memory().setFlag(bi, flags);
        if (tunnel != NO_TUNNEL) {
            h.memory().opaque(bi, tunnel);
        }
        int[] arcsBefore = new int[ARCS.length];
        for (int a = 0; a < ARCS.length; a++) {
            arcsBefore[a] = h.captured(stage + "." + ARCS[a]).size();
        }
        IpLookup.Errors[] errors = IpLookup.Errors.values();
        long[] errorsBefore = new long[errors.length];
        for (int e = 0; e < errors.length; e++) {
            errorsBefore[e] = h.errors(stage, errors[e].reason());
        }
        h.run(stage, bi);
        for (int a = 0; a < ARCS.length; a++) {
            if (h.captured(stage + "." + ARCS[a]).size() > arcsBefore[a]) {
                return ARCS[a];
            }
        }
        for (int e = 0; e < errors.length; e++) {
            if (h.errors(stage, errors[e].reason()) > errorsBefore[e]) {
                return errors[e].reason();
            }
        }
        return "nowhere";
    }
}
