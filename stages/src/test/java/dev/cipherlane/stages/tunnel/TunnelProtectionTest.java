package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.builtin.IcmpErrorRequest;
import dev.cipherlane.stages.testing.StageHarness;
import org.junit.jupiter.api.Test;

/** Tunnels protected by ESP: fail closed on the way out, accept only what an inbound SA decrypted. */
class TunnelProtectionTest {
    /** Outer header, ESP header and IV, up to 3 bytes of padding, pad length and next header, ICV. */
    private static final int ESP_OVERHEAD = 20 + 8 + 8 + 3 + 2 + 16;

    private final TunnelNetwork net = new TunnelNetwork();

    private int inject(StageHarness h, int length, int tunnel) {
        int bi = h.packet(udp4(addr(10, 1, 0, 5), addr(10, 2, 0, 7), 40000, 443, 0, DF, length), 1);
        h.memory().nextHop(bi, net.tunnelAdjacency[tunnel]);
        return bi;
    }

    @Test
    void protectedTunnelsLeaveOnEspWithTheirOutboundSa() {
        net.tunnelsA.protect(net.tunnelIndex[1], 7, new int[] {8}, ESP_OVERHEAD);
        net.tunnelsA.protect(net.tunnelIndex[2], TunnelTable.NO_SA, new int[0], ESP_OVERHEAD);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, 100, 0), inject(h, 100, 1), inject(h, 100, 2));
            assertEquals(1, h.captured("ipip-encap.rewrite").size(), "tunnel 0 is not protected");
            assertEquals(2, h.captured("ipip-encap.esp").size());
            assertEquals(7, h.memory().saIndex(h.captured("ipip-encap.esp").get(0)));
            assertEquals(TunnelTable.NO_SA, h.memory().saIndex(h.captured("ipip-encap.esp").get(1)),
                    "no SA yet: the encryptor drops it");
            assertEquals(-1, h.memory().saIndex(h.captured("ipip-encap.rewrite").get(0)));
        }
    }

    @Test
    void theMtuCheckReservesTheProtectionsOverhead() {
        net.tunnelsA.protect(net.tunnelIndex[1], 7, new int[] {8}, ESP_OVERHEAD);
        try (StageHarness h = new StageHarness(net.encap())) {
            h.run(TunnelEncap.NAME, inject(h, TunnelNetwork.MTU - ESP_OVERHEAD, 1),
                    inject(h, TunnelNetwork.MTU - ESP_OVERHEAD + 1, 1));
            assertEquals(1, h.captured("ipip-encap.esp").size());
            int error = h.memory().opaque(h.captured("ipip-encap.icmp4-error").get(0));
            assertEquals(TunnelNetwork.MTU - ESP_OVERHEAD, IcmpErrorRequest.parameter(error));
        }
    }

    @Test
    void aProtectedTunnelDropsClearIpipAndOtherTunnelsSas() {
        TunnelTable.Snapshot a = net.tunnelsA.snapshot();
        int bTunnel = net.tunnelsB.snapshot().find(TunnelNetwork.localA(1), TunnelNetwork.localB(1));
        net.tunnelsB.protect(bTunnel, 3, new int[] {4, 5}, ESP_OVERHEAD);
        TunnelTable.Snapshot b = net.tunnelsB.snapshot();
        assertTrue(b.acceptsSa(bTunnel, 5));
        assertFalse(b.acceptsSa(bTunnel, 3), "the outbound SA is not an inbound one");
        TunnelEncap encap = new TunnelEncap(new TunnelEncap.Params(net::forwarding, () -> a));
        TunnelDecap decap = new TunnelDecap(new TunnelDecap.Params(() -> b));
        try (StageHarness h = new StageHarness(encap, decap)) {
            h.run(TunnelEncap.NAME, inject(h, 100, 1), inject(h, 100, 1), inject(h, 100, 1));
            var outer = h.capturedBytes("ipip-encap.rewrite");
            int clear = h.packet(outer.get(0), 2);
            int foreign = h.packet(outer.get(1), 2);
            h.memory().saIndex(foreign, 9);
            int decrypted = h.packet(outer.get(2), 2);
            h.memory().saIndex(decrypted, 4);
            h.run(TunnelDecap.NAME, clear, foreign, decrypted);
            assertEquals(2, h.errors(TunnelDecap.NAME, "clear packet on protected tunnel"));
            assertEquals(1, h.captured("ipip-decap.ip4").size());
        }
    }

    @Test
    void protectionRefusesTooManySasAndOverheadsTheMtuCannotTake() {
        int t = net.tunnelIndex[0];
        assertThrows(IllegalArgumentException.class, () -> net.tunnelsA.protect(t, 1, new int[5], ESP_OVERHEAD));
        assertThrows(IllegalArgumentException.class, () -> net.tunnelsA.protect(t, 1, new int[0], 10));
        assertThrows(IllegalArgumentException.class, () -> net.tunnelsA.protect(t, 1, new int[0], TunnelNetwork.MTU));
        assertFalse(net.tunnelsA.isProtected(t));
    }
}
