package dev.cipherlane.ipsec.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecurityAssociationTest {
    private static final byte[] KEYMAT = Sas.keyMaterial(0x1234);

    @Test
    void keyMaterialSplitsIntoKeyAndSaltAsRfc4106Section8Says() {
        SecurityAssociation sa = SecurityAssociation.of(0x1234, Direction.INBOUND, KEYMAT, 2);
        assertArrayEquals(Arrays.copyOf(KEYMAT, 32), sa.key());
        int salt = (KEYMAT[32] & 0xFF) << 24 | (KEYMAT[33] & 0xFF) << 16 | (KEYMAT[34] & 0xFF) << 8 | KEYMAT[35] & 0xFF;
        assertEquals(salt, sa.salt());
        assertFalse(sa.esn());
        assertEquals(SecurityAssociation.DEFAULT_REPLAY_WINDOW, sa.replayWindow());
        assertEquals(UdpEncapsulation.NONE, sa.udp());
        assertThrows(IllegalArgumentException.class,
                () -> SecurityAssociation.of(0x1234, Direction.INBOUND, new byte[32], 2));
    }

    @Test
    void reservedSpisAreRefused() {
        for (int spi : new int[] {0, 1, 255}) {
            assertThrows(IllegalArgumentException.class,
                    () -> SecurityAssociation.of(spi, Direction.OUTBOUND, KEYMAT, 0), "spi " + spi);
        }
        SecurityAssociation.of(256, Direction.OUTBOUND, KEYMAT, 0);
        SecurityAssociation.of(0x8000_0001, Direction.OUTBOUND, KEYMAT, 0);
    }

    @Test
    void replayWindowIsOffOrAPowerOfTwoFrom64To4096() {
        SecurityAssociation sa = SecurityAssociation.of(0x1234, Direction.INBOUND, KEYMAT, 0);
        for (int w : new int[] {0, 64, 128, 4096}) {
            assertEquals(w, sa.withReplayWindow(w).replayWindow());
        }
        for (int w : new int[] {-1, 32, 100, 8192}) {
            assertThrows(IllegalArgumentException.class, () -> sa.withReplayWindow(w), "window " + w);
        }
    }

    @Test
    void theKeyIsCopiedInAndOutAndNeverPrinted() {
        byte[] key = Arrays.copyOf(KEYMAT, 32);
        SecurityAssociation sa = new SecurityAssociation(0x1234, Direction.OUTBOUND, key, 7, false, 0,
                UdpEncapsulation.NAT_T, 1, SaLimits.NONE);
        key[0] ^= 1;
        assertEquals(KEYMAT[0], sa.key()[0], "changing the caller's array changes nothing");
        sa.key()[1] ^= 1;
        assertEquals(KEYMAT[1], sa.key()[1]);
        String text = sa.toString();
        assertFalse(text.contains(HexFormat.of().formatHex(Arrays.copyOf(KEYMAT, 4))), text);
        assertTrue(text.contains("spi 0x1234"), text);
        assertThrows(IllegalArgumentException.class, () -> new SecurityAssociation(0x1234, Direction.OUTBOUND,
                new byte[16], 7, false, 0, UdpEncapsulation.NONE, 1, SaLimits.NONE));
    }

    @Test
    void equalityComparesKeyContents() {
        SecurityAssociation a = SecurityAssociation.of(0x1234, Direction.INBOUND, KEYMAT, 0);
        SecurityAssociation b = SecurityAssociation.of(0x1234, Direction.INBOUND, KEYMAT.clone(), 0);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        byte[] other = KEYMAT.clone();
        other[5] ^= 1;
        assertNotEquals(a, SecurityAssociation.of(0x1234, Direction.INBOUND, other, 0));
        assertNotEquals(a, a.withEsn(true));
    }

    @Test
    void udpPortsAreValidatedAndNoneIsBothZero() {
        assertFalse(UdpEncapsulation.NONE.enabled());
        assertTrue(UdpEncapsulation.NAT_T.enabled());
        assertEquals(4500, UdpEncapsulation.NAT_T.destinationPort());
        assertThrows(IllegalArgumentException.class, () -> new UdpEncapsulation(4500, 0));
        assertThrows(IllegalArgumentException.class, () -> new UdpEncapsulation(70000, 4500));
    }

    @Test
    void softLimitsMayNotExceedHardOnes() {
        assertThrows(IllegalArgumentException.class, () -> SaLimits.bytes(10, 5));
        assertThrows(IllegalArgumentException.class, () -> SaLimits.packets(10, 5));
        assertThrows(IllegalArgumentException.class,
                () -> SaLimits.lifetime(Duration.ofMinutes(10), Duration.ofMinutes(5)));
        assertThrows(IllegalArgumentException.class, () -> SaLimits.bytes(-1, 0));
        SaLimits.bytes(10, 0);
        SaLimits.packets(0, 5);
    }
}
