package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF1_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.ethernet;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip4;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.macBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EthernetInputTest {
    private static final String IN = EthernetInput.NAME;
    private static final byte[] PEER = macBytes(0x52, 0x54, 0, 0x12, 0x34, 0x56);

    private static StageHarness harness() {
        return new StageHarness(new EthernetInput(new EthernetInput.Params(EthernetFrames.interfaces())));
    }

    @Test
    void stripsTheHeaderOfIp4ForOurMacAndSetsL3Offset() {
        byte[] ip = ip4(ipBytes(10, 0, 0, 2), ipBytes(10, 0, 0, 1), 30);
        try (StageHarness h = harness()) {
            h.run(IN, h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x0800, ip), IF0));

            assertEquals(1, h.captured(IN + ".ip4").size());
            int bi = h.captured(IN + ".ip4").get(0);
            PacketMemory mem = h.memory();
            assertArrayEquals(ip, mem.read(bi), "packet now starts at the IPv4 header");
            assertEquals(PacketMemory.HEADROOM + 14, mem.dataOffset(bi));
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi), "l3 offset is relative to the buffer base");
            assertFalse(mem.hasFlag(bi, PacketFlags.IP6));
            // The header bytes stay in the headroom.
            assertEquals(0x08, Byte.toUnsignedInt(mem.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    mem.base(bi) + PacketMemory.HEADROOM + 12)));
        }
    }

    @Test
    void sendsIp6ToMulticastAndArpToBroadcastOnTheirArcs() {
        byte[] ip6Payload = new byte[40];
        ip6Payload[0] = 0x60;
        byte[] arpPayload = EthernetFrames.arp(1, PEER, ipBytes(10, 0, 0, 2), new byte[6], ipBytes(10, 0, 0, 1));
        try (StageHarness h = harness()) {
            int v6 = h.packet(ethernet(macBytes(0x33, 0x33, 0, 0, 0, 1), PEER, 0x86DD, ip6Payload), IF1);
            int arp = h.packet(ethernet(BROADCAST, PEER, 0x0806, arpPayload), IF1);
            h.run(IN, v6, arp);

            assertEquals(1, h.captured(IN + ".ip6").size());
            assertTrue(h.memory().hasFlag(h.captured(IN + ".ip6").get(0), PacketFlags.IP6));
            assertArrayEquals(ip6Payload, h.capturedBytes(IN + ".ip6").get(0));
            assertEquals(1, h.captured(IN + ".arp").size());
            assertArrayEquals(arpPayload, h.capturedBytes(IN + ".arp").get(0));
            assertEquals(0, h.captured(IN + ".ip4").size());
        }
    }

    @Test
    void aHeaderOnlyFrameIsAcceptedAndOneByteShorterIsARunt() {
        try (StageHarness h = harness()) {
            int header = h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[0]), IF0);
            int runt = h.packet(Arrays.copyOf(ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[0]), 13), IF0);
            int empty = h.packet(new byte[0], IF0);
            h.run(IN, header, runt, empty);

            assertEquals(1, h.captured(IN + ".ip4").size());
            assertEquals(0, h.memory().length(h.captured(IN + ".ip4").get(0)));
            assertEquals(2, h.errors(IN, "runt frame"));
        }
    }

    @Test
    void dropsUnicastForAnotherMacEvenIfItIsAnotherInterfaces() {
        try (StageHarness h = harness()) {
            // IF1's MAC arriving on IF0 is not for IF0.
            int other = h.packet(ethernet(IF1_MAC_BYTES, PEER, 0x0800, ip4(ipBytes(1, 1, 1, 1), ipBytes(2, 2, 2, 2), 0)), IF0);
            int stranger = h.packet(ethernet(macBytes(0x52, 0x54, 0, 0, 0, 9), PEER, 0x0800, new byte[20]), IF0);
            h.run(IN, other, stranger);

            assertEquals(2, h.errors(IN, "not for us"));
            assertEquals(0, h.captured(IN + ".ip4").size());
        }
    }

    @Test
    void dropsFramesFromAnUnknownInterface() {
        try (StageHarness h = harness()) {
            h.run(IN, h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[20]), 7),
                    h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[20]), -1));

            assertEquals(2, h.errors(IN, "unknown interface"));
        }
    }

    @Test
    void dropsUnknownEtherTypesLlcLengthsAndVlanTags() {
        try (StageHarness h = harness()) {
            int lldp = h.packet(ethernet(macBytes(0x01, 0x80, 0xc2, 0, 0, 0x0e), PEER, 0x88CC, new byte[30]), IF0);
            int llc = h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x002E, new byte[46]), IF0);
            int vlan = h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x8100,
                    bytes(new byte[] {0, 10, 0x08, 0x00}, new byte[20])), IF0);
            int qinq = h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x88A8, new byte[24]), IF0);
            h.run(IN, lldp, llc, vlan, qinq);

            assertEquals(2, h.errors(IN, "unknown ethertype"));
            assertEquals(2, h.errors(IN, "vlan tagged frame"));
            assertEquals(0, h.captured(IN + ".ip4").size());
        }
    }

    @Test
    void sortsAMixedFrameAndCountsEveryOutcome() {
        try (StageHarness h = harness()) {
            int[] bis = new int[300];
            for (int i = 0; i < bis.length; i++) {
                byte[] frame = switch (i % 3) {
                    case 0 -> ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[20]);
                    case 1 -> ethernet(IF0_MAC_BYTES, PEER, 0x0806, new byte[28]);
                    default -> new byte[5];
                };
                bis[i] = h.packet(frame, IF0);
            }
            h.run(IN, bis);

            assertEquals(100, h.captured(IN + ".ip4").size());
            assertEquals(100, h.captured(IN + ".arp").size());
            assertEquals(100, h.errors(IN, "runt frame"));
        }
    }

    @Test
    void traceNamesBothMacsAndTheEtherType() {
        try (StageHarness h = harness()) {
            int bi = h.packet(ethernet(IF0_MAC_BYTES, PEER, 0x0800, new byte[20]), IF0);
            String line = new EthernetInput(new EthernetInput.Params(EthernetFrames.interfaces())).formatTrace(h.memory(), bi);
            assertEquals("52:54:00:12:34:56 -> 02:00:00:00:00:01 type 0x0800, rx 0", line);
            h.run(IN, bi);
        }
    }
}
