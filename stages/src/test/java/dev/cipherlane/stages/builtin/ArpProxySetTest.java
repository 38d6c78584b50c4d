package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.neighbour.ProxySet;
import org.junit.jupiter.api.Test;

class ArpProxySetTest {

    @Test
    void answersInsideEachInterfacesOwnRangesOnly() {
        ProxySet proxies = ProxySet.builder()
                .add(2, Prefixes.parse4("169.254.1.1/32"))
                .addRange(2, ip(10, 244, 0, 10), ip(10, 244, 0, 20))
                .add(5, Prefixes.parse4("128.0.0.0/1"))
                .build();

        assertTrue(proxies.answers(2, ip(169, 254, 1, 1)));
        assertFalse(proxies.answers(2, ip(169, 254, 1, 2)));
        assertTrue(proxies.answers(2, ip(10, 244, 0, 10)));
        assertTrue(proxies.answers(2, ip(10, 244, 0, 20)));
        assertFalse(proxies.answers(2, ip(10, 244, 0, 21)));
        assertFalse(proxies.answers(2, ip(10, 244, 0, 9)));
        // Upper half of the address space: compared unsigned, not as negative ints.
        assertTrue(proxies.answers(5, ip(200, 1, 1, 1)));
        assertTrue(proxies.answers(5, ip(255, 255, 255, 255)));
        assertFalse(proxies.answers(5, ip(127, 255, 255, 255)));
        assertFalse(proxies.answers(3, ip(169, 254, 1, 1)));
        assertFalse(proxies.answers(99, ip(169, 254, 1, 1)));
        assertFalse(proxies.answers(-1, ip(169, 254, 1, 1)));
        assertFalse(ProxySet.EMPTY.answers(0, ip(169, 254, 1, 1)));
    }

    @Test
    void refusesEmptyRangesAndNegativeInterfaces() {
        assertThrows(IllegalArgumentException.class,
                () -> ProxySet.builder().addRange(0, ip(10, 0, 0, 2), ip(10, 0, 0, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> ProxySet.builder().add(-1, Prefixes.parse4("10.0.0.0/8")));
    }
}
