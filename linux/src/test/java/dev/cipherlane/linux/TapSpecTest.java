package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TapSpecTest {
    @Test
    void podTapIsWhatTheDesignAsksFor() {
        TapSpec spec = TapSpec.pod("tap0", 4);
        assertEquals(Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR | Tun.IFF_MULTI_QUEUE, spec.flags());
        assertEquals(12, spec.vnetHeaderSize());
        assertEquals(Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6, spec.offloads());
        assertTrue(spec.persistent());
    }

    @Test
    void refusesWhatTheKernelWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> TapSpec.pod("", 1));
        assertThrows(IllegalArgumentException.class, () -> TapSpec.pod("a-name-of-16-chr", 1));
        assertThrows(IllegalArgumentException.class, () -> TapSpec.pod("tap/0", 1));
        assertThrows(IllegalArgumentException.class, () -> TapSpec.pod("tap0", 0));
        assertThrows(IllegalArgumentException.class, () -> TapSpec.pod("tap0", 257));
        assertThrows(IllegalArgumentException.class, () -> new TapSpec("tap0", 1, 8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TapSpec("tap0", 1, 12, 0x80, false));
        assertThrows(IllegalArgumentException.class, () -> new TapSpec("tap0", 1, 12, Tun.TUN_F_TSO4, false));
        TapSpec fifteen = TapSpec.pod("a-name-of-15-ch", 256);
        assertEquals(256, fifteen.queues());
    }
}
