package dev.cipherlane.stages.builtin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HostRedirectTest {
    private static final int HOST_TAP = 7;
    private static final long KERNEL_MAC = 0x02_00_00_00_00_AAL;
    private static final long OUR_MAC = 0x02_FE_00_00_00_01L;
    private static final int NODE = 0x0A_C8_00_01; // 10.200.0.1
    private static final long NODE6_HI = 0xFD00_0200_0000_0000L;
    private static final long NODE6_LO = 1;

    private static HostRedirect stage() {
        return new HostRedirect(new HostRedirect.Params(HOST_TAP, KERNEL_MAC, OUR_MAC, new int[] {NODE},
                new long[] {NODE6_HI, NODE6_LO}));
    }

    /** A minimal IPv4 header + 8 payload bytes; only version and destination matter here. */
    private static byte[] ip4(int destination) {
        byte[] p = new byte[28];
        p[0] = 0x45;
        p[3] = 28;
        p[8] = 1; // TTL 1: delivered, so it must not be decremented or refused
        p[9] = 6;
        p[16] = (byte) (destination >>> 24);
        p[17] = (byte) (destination >>> 16);
        p[18] = (byte) (destination >>> 8);
        p[19] = (byte) destination;
        return p;
    }

    private static byte[] ip6(long hi, long lo) {
        byte[] p = new byte[48];
        p[0] = 0x60;
        p[5] = 8;
        p[6] = 17;
        p[7] = 1;
        for (int i = 0; i < 8; i++) {
            p[24 + i] = (byte) (hi >>> (56 - 8 * i));
            p[32 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return p;
    }

    private static byte[] frame(long dst, long src, int type, byte[] ip) {
        byte[] f = new byte[14 + ip.length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        System.arraycopy(ip, 0, f, 14, ip.length);
        return f;
    }

    @Test
    void packetsForTheKernelsAddressesLeaveOnTheHostTapUnchanged() {
        byte[] v4 = ip4(NODE);
        byte[] v6 = ip6(NODE6_HI, NODE6_LO);
        try (StageHarness h = new StageHarness(stage())) {
            h.run(HostRedirect.NAME, h.packet(v4, 2), h.packet(v6, 2));
            assertEquals(2, h.captured("host-redirect.tx").size());
            assertArrayEquals(frame(KERNEL_MAC, OUR_MAC, 0x0800, v4), h.capturedBytes("host-redirect.tx").get(0));
            assertArrayEquals(frame(KERNEL_MAC, OUR_MAC, 0x86DD, v6), h.capturedBytes("host-redirect.tx").get(1));
            for (int bi : h.captured("host-redirect.tx")) {
                assertEquals(HOST_TAP, h.memory().txInterface(bi));
            }
            assertEquals(2, h.errors(HostRedirect.NAME, "redirected to host"));
        }
    }

    @Test
    void otherLocalAddressesArePuntedNotGivenToTheKernel() {
        byte[] gateway = ip4(0xA9_FE_01_01); // 169.254.1.1, the pods' gateway
        try (StageHarness h = new StageHarness(stage())) {
            h.run(HostRedirect.NAME, h.packet(gateway, 1), h.packet(ip6(NODE6_HI, 2), 1));
            assertEquals(2, h.captured("host-redirect.punt").size());
            assertArrayEquals(gateway, h.capturedBytes("host-redirect.punt").get(0), "untouched");
        }
    }

    @Test
    void runtsAndNonIpAreDroppedByName() {
        try (StageHarness h = new StageHarness(stage())) {
            byte[] notIp = ip4(NODE);
            notIp[0] = 0x55;
            h.run(HostRedirect.NAME, h.packet(Arrays.copyOf(ip4(NODE), 10), 1), h.packet(notIp, 1),
                    h.packet(Arrays.copyOf(ip6(NODE6_HI, NODE6_LO), 39), 1));
            assertEquals(3, h.errors(HostRedirect.NAME, "host packet not ip"));
        }
    }
}
