package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class OctetsTest {
    @Test
    void fixedWidthPadsAndStripsLeadingZerosOnly() {
        assertArrayEquals(new byte[] {0, 0, 1, 2}, Octets.fixedWidth(new byte[] {1, 2}, 4));
        assertArrayEquals(new byte[] {1, 2}, Octets.fixedWidth(new byte[] {0, 0, 1, 2}, 2));
        assertNull(Octets.fixedWidth(new byte[] {0, 3, 1, 2}, 2));
    }

    @Test
    void bigEndianDropsTheSignByte() {
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFE}, Octets.bigEndian(BigInteger.valueOf(0xFFFE), 2));
        assertArrayEquals(new byte[] {0, 0, 0, 7}, Octets.bigEndian(BigInteger.valueOf(7), 4));
        assertThrows(IllegalArgumentException.class, () -> Octets.bigEndian(BigInteger.valueOf(0x10000), 2));
        assertThrows(IllegalArgumentException.class, () -> Octets.bigEndian(BigInteger.valueOf(-1), 2));
    }
}
