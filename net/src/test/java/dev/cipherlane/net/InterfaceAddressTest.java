package dev.cipherlane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InterfaceAddressTest {

    @Test
    void keepsHostBitsAndKnowsItsSubnet() {
        InterfaceAddress address = InterfaceAddress.parse("10.0.0.1/24");
        assertEquals("10.0.0.1/24", address.toString());
        assertEquals(IpPrefix.parse("10.0.0.0/24"), address.subnet());
        assertEquals(IpPrefix.parse("fd00::/64"), InterfaceAddress.parse("fd00::1/64").subnet());
    }

    @Test
    void needsAPrefixLength() {
        ValueFormatException e = assertThrows(ValueFormatException.class, () -> InterfaceAddress.parse("10.0.0.1"));
        assertEquals("an address with its prefix length like 10.0.0.1/24", e.expected());
        assertThrows(ValueFormatException.class, () -> InterfaceAddress.parse("10.0.0.1/33"));
    }
}
