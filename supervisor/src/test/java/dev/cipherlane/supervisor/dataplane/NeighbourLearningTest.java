package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The node's facts about its links become the neighbour table's learning policy and pins. */
class NeighbourLearningTest {
    private static final int POD = 0;
    private static final int UPLINK = 2;
    private static final int HOST = 3;

    private static int ip(String text) {
        return (int) IpAddress.parse(text).low();
    }

    private static final PodPort POD_PORT = new PodPort("p0", POD, 0x02AA_0000_0001L, 1400, new int[] {100},
            Optional.of(ip("10.1.1.10")), Optional.of(new long[] {0xFD01_0001_0000_0000L, 0x10L}));

    private static final UplinkInterface UPLINK_VIEW = new UplinkInterface(UPLINK, "wire0", 0x0AA3_A7CC_EDCFL, 1500,
            List.of(new NetInterface.Ip4Address(ip("10.200.0.1"), 16)),
            List.of(new NetInterface.Ip6Address(0xFD00_0200_0000_0000L, 1, 64)), List.of(), HOST, "cl-host");

    @Test
    void podsTeachOnlyTheirOwnAddressesAndTheUplinkOnlyItsSubnets() {
        LearningPolicy p = NeighbourLearning.policy(List.of(POD_PORT), Optional.of(UPLINK_VIEW));

        assertTrue(p.allows4(POD, ip("10.1.1.10")));
        assertFalse(p.allows4(POD, ip("10.1.1.11")), "another address from the pod's tap");
        assertFalse(p.allows4(POD, ip("10.200.0.9")), "an underlay address from the pod's tap");
        assertTrue(p.allows6(POD, 0xFD01_0001_0000_0000L, 0x10L));
        assertFalse(p.allows6(POD, 0xFE80_0000_0000_0000L, 0x10L));
        assertTrue(p.allows4(UPLINK, ip("10.200.77.2")));
        assertFalse(p.allows4(UPLINK, ip("10.201.0.2")));
        assertFalse(p.allows4(UPLINK, ip("10.1.1.10")), "a pod's address from the wire");
        assertTrue(p.allows6(UPLINK, 0xFD00_0200_0000_0000L, 0x99));
        assertFalse(p.allows6(UPLINK, 0xFD00_0201_0000_0000L, 0x99));
        assertTrue(p.allows4(HOST, ip("10.200.0.1")), "the kernel holds the node's address");
        assertFalse(p.allows4(HOST, ip("10.200.0.2")));
        assertFalse(p.allows4(7, ip("10.200.0.2")), "an interface the node does not know learns nothing");
    }

    @Test
    void followingTheTablePinsEveryTunnelsNextHopAndThePods() {
        PeerSettings peer = new PeerSettings("node-b", List.of(IpAddress.parse("10.200.0.2"),
                IpAddress.parse("10.200.0.12")), List.of(IpPrefix.parse("10.1.2.0/24")), 2);
        NodeForwarding f = NodeForwarding.build(List.of(POD_PORT), 0x02FE_0000_0001L, Optional.of(UPLINK_VIEW),
                List.of(peer));
        NeighbourTable t = new NeighbourTable(NeighbourTable.Params.defaults());
        f.follow(t, () -> {});

        assertTrue(t.pinned4(UPLINK, ip("10.200.0.2")));
        assertTrue(t.pinned4(UPLINK, ip("10.200.0.12")));
        assertTrue(t.pinned4(POD, ip("10.1.1.10")));
        assertEquals(NeighbourTable.State.INCOMPLETE, t.state4(UPLINK, ip("10.200.0.2")));
        assertEquals(0, t.dynamicOn(UPLINK));
    }
}
