package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class OctetsTest {
    @Test
    void fixedWidthPadsAndStripsLeadingZerosOnly() {
        assertArrayEquals(new byte[] {0, 0, 1, 2}, KeyBytes.fixedWidth(new byte[] {1, 2}, 4));
        assertArrayEquals(new byte[] {1, 2}, KeyBytes.fixedWidth(new byte[] {0, 0, 1, 2}, 2));
        assertNull(KeyBytes.fixedWidth(new byte[] {0, 3, 1, 2}, 2));
    }

    @Test
    void bigEndianDropsTheSignByte() {
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFE}, KeyBytes.bigEndian(BigInteger.valueOf(0xFFFE), 2));
        assertArrayEquals(new byte[] {0, 0, 0, 7}, KeyBytes.bigEndian(BigInteger.valueOf(7), 4));
        assertThrows(IllegalArgumentException.class, () -> KeyBytes.bigEndian(BigInteger.valueOf(0x10000), 2));
        assertThrows(IllegalArgumentException.class, () -> KeyBytes.bigEndian(BigInteger.valueOf(-1), 2));
    }
}
