package dev.cipherlane.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesEitherCaseAndPrintsLowercase() {
        MacAddress mac = MacAddress.parse("02:AB:cd:00:00:FF");
        assertEquals("02:ab:cd:00:00:ff", mac.toString());
        assertEquals(0x02abcd0000ffL, mac.value());
        assertArrayEquals(new byte[] {2, (byte) 0xab, (byte) 0xcd, 0, 0, (byte) 0xff}, mac.octets());
        assertEquals(mac, MacAddress.of(mac.octets()));
    }

    @Test
    void refusesWrongWidths() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void knowsItsFlagBits() {
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered());
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast());
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02-00-00-00-00-01", "0200.0000.0001",
        "2:0:0:0:0:1", "02:00:00:00:00:0g", "02:00:00:00:00:1\u0661", "02:00:00:00:00:01 ",
        "02:00:00:00:00:100", "02:00:00:00:00:zz"})
    void refusesOtherSpellings(String text) {
        assertThrows(ValueFormatException.class, () -> MacAddress.parse(text));
    }
}
