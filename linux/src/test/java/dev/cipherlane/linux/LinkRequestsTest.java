package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The link-creating RTM_NEWLINK requests against hand-assembled bytes (as iproute2 sends them). */
class LinkRequestsTest {
    private final Arena arena = Arena.ofConfined();
    private final NetlinkMessage m = NetlinkMessage.allocate(arena, 512);

    @AfterEach
    void free() {
        arena.close();
    }

    private byte[] finished() {
        byte[] b = new byte[m.finish()];
        MemorySegment.copy(m.segment(), ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return b;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void vethWithItsPeerInAnotherNamespaceAndAnMtu() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
        LinkRequests.veth(m, "va", "vb", 1400, 5);
        assertArrayEquals(hex(""
                + "70000000 1000 0006 00000000 00000000"   // nlmsghdr: len 112, RTM_NEWLINK, CREATE|EXCL
                + "00000000 00000000 00000000 00000000"    // ifinfomsg
                + "0700 0300 76610000"                     // IFLA_IFNAME "va"
                + "0800 0400 78050000"                     // IFLA_MTU 1400
                + "4000 1200"                              // IFLA_LINKINFO, 64 bytes
                + "0900 0100 76657468 00000000"            //   IFLA_INFO_KIND "veth"
                + "3000 0200"                              //   IFLA_INFO_DATA, 48 bytes
                + "2c00 0100"                              //     VETH_INFO_PEER, 44 bytes
                + "00000000 00000000 00000000 00000000"    //       the peer's ifinfomsg
                + "0700 0300 76620000"                     //       IFLA_IFNAME "vb"
                + "0800 0400 78050000"                     //       IFLA_MTU 1400
                + "0800 1c00 05000000"),                   //       IFLA_NET_NS_FD 5
                finished());
    }

    @Test
    void vethInOneNamespaceWithTheDefaultMtu() {
        LinkRequests.veth(m, "va", "vb", 0, -1);
        assertArrayEquals(hex(""
                + "58000000 1000 0006 00000000 00000000"   // len 88
                + "00000000 00000000 00000000 00000000"
                + "0700 0300 76610000"
                + "3000 1200"                              // IFLA_LINKINFO, 48 bytes
                + "0900 0100 76657468 00000000"
                + "2000 0200"                              //   IFLA_INFO_DATA, 32 bytes
                + "1c00 0100"                              //     VETH_INFO_PEER, 28 bytes
                + "00000000 00000000 00000000 00000000"
                + "0700 0300 76620000"),
                finished());
    }

    @Test
    void bridge() {
        LinkRequests.bridge(m, "br0");
        assertArrayEquals(hex(""
                + "38000000 1000 0006 00000000 00000000"   // len 56, RTM_NEWLINK, CREATE|EXCL
                + "00000000 00000000 00000000 00000000"
                + "0800 0300 62723000"                     // IFLA_IFNAME "br0"
                + "1000 1200"                              // IFLA_LINKINFO, 16 bytes
                + "0b00 0100 62726964 67650000"),          //   IFLA_INFO_KIND "bridge"
                finished());
    }

    @Test
    void masterOfAPort() {
        LinkRequests.master(m, 7, 3);
        assertArrayEquals(hex(""
                + "28000000 1000 0000 00000000 00000000"   // len 40, RTM_NEWLINK, no flags
                + "00000000 07000000 00000000 00000000"    // ifinfomsg: index 7
                + "0800 0a00 03000000"),                   // IFLA_MASTER 3
                finished());
    }

    @Test
    void namesAndMtuAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> LinkRequests.veth(m, "a-name-far-too-long", "b", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> LinkRequests.veth(m, "a", "b", -1, -1));
        assertThrows(IllegalArgumentException.class, () -> LinkRequests.bridge(m, "br/0"));
    }
}
