package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every address the plan hands out is distinct and sits in the prefix it is routed by. */
class AddressPlanTest {
    @Test
    void addressesAreDistinctAndInsideTheirPrefixes() {
        Set<String> seen = new HashSet<>();
        IpPrefix underlay = IpPrefix.parse("10.200.0.0/16");
        for (int n = 1; n <= AddressPlan.MAX_NODES; n++) {
            assertTrue(seen.add(AddressPlan.underlay(n)));
            assertTrue(underlay.contains(IpAddress.parse(AddressPlan.underlay(n))));
            for (int j = 1; j <= AddressPlan.MAX_EXTRA_ADDRESSES; j++) {
                String a = AddressPlan.tunnelAddress(n, j);
                assertTrue(seen.add(a), a);
                assertTrue(underlay.contains(IpAddress.parse(a)), a);
            }
            IpPrefix pods4 = IpPrefix.parse(AddressPlan.podCidr4(n));
            IpPrefix pods6 = IpPrefix.parse(AddressPlan.podCidr6(n));
            for (int p = 1; p <= AddressPlan.MAX_PODS_PER_NODE; p++) {
                assertTrue(seen.add(AddressPlan.pod4(n, p)));
                assertTrue(seen.add(AddressPlan.pod6(n, p)));
                assertTrue(pods4.contains(IpAddress.parse(AddressPlan.pod4(n, p))));
                assertTrue(pods6.contains(IpAddress.parse(AddressPlan.pod6(n, p))));
            }
        }
        assertEquals("10.200.0.2", AddressPlan.underlay(2));
        assertEquals("10.200.3.2", AddressPlan.tunnelAddress(2, 3));
        assertEquals("10.1.2.11", AddressPlan.pod4(2, 1));
        assertEquals("fd01:2::12", AddressPlan.pod6(2, 2));
        assertThrows(IllegalArgumentException.class, () -> AddressPlan.underlay(0));
        assertThrows(IllegalArgumentException.class, () -> AddressPlan.pod4(1, AddressPlan.MAX_PODS_PER_NODE + 1));
    }
}
