package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacAddressTest {
    @Test
    void parsesPrintsAndConvertsOctets() {
        MacAddress mac = MacAddress.parse("02:Ab:0c:00:ff:01");
        assertEquals(0x02ab0c00ff01L, mac.value());
        assertEquals("02:ab:0c:00:ff:01", mac.toString());
        assertArrayEquals(new byte[] {2, (byte) 0xab, 12, 0, (byte) 0xff, 1}, mac.octets());
        assertEquals(mac, MacAddress.of(mac.octets()));
        assertEquals(mac, MacAddress.parse("02-ab-0c-00-ff-01"));
    }

    @Test
    void knowsTheTwoLowBitsOfTheFirstOctet() {
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered());
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast());
    }

    @Test
    void rejectsWhatIsNoMac() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00:100"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00:zz"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }
}
