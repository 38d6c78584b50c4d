package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The message builder and the reply parser against hand-assembled bytes. */
class NetlinkMessageTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void free() {
        arena.close();
    }

    private static byte[] bytes(NetlinkMessage m) {
        byte[] b = new byte[m.length()];
        MemorySegment.copy(m.segment(), ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return b;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void newaddrHasTheKernelsLayout() throws Exception {
        // The test writes little-endian expectations; the build machines are x86_64/aarch64.
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
        NetlinkMessage m = NetlinkMessage.allocate(arena, 256);
        m.begin(Rtnetlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL);
        int h = m.reserve(8);
        m.putByte(h, Sockets.AF_INET).putByte(h + 1, 32).putInt(h + 4, 7);
        m.attribute(IfAddress.IFA_LOCAL, InetAddress.getByName("10.0.0.1").getAddress());
        assertEquals(32, m.finish());
        assertArrayEquals(hex(""
                + "20000000 1400 0006 00000000 00000000"   // nlmsghdr: len 32, RTM_NEWADDR, CREATE|EXCL
                + "02 20 00 00 07000000"                   // ifaddrmsg: AF_INET /32, index 7
                + "0800 0200 0a000001"),                   // IFA_LOCAL 10.0.0.1
                bytes(m));
    }

    @Test
    void attributesArePaddedToFourBytesWithZeros() {
        NetlinkMessage m = NetlinkMessage.allocate(arena, 256);
        m.segment().fill((byte) 0xee);
        m.begin(Rtnetlink.RTM_NEWLINK, 0);
        m.reserve(16);
        m.attributeString(Link.IFLA_IFNAME, "tap0");
        m.attributeU8(99, 0xab);
        m.attributeU16(98, 0x1234);
        m.finish();
        assertArrayEquals(hex(""
                + "3c000000 1000 0000 00000000 00000000"
                + "00000000 00000000 00000000 00000000"
                + "0900 0300 74617030 00 000000"           // "tap0\0": rta_len 9, padded to 12
                + "0500 6300 ab 000000"
                + "0600 6200 3412 0000"),
                bytes(m));
    }

    @Test
    void nestedAttributesCoverWhatWasAddedInside() {
        NetlinkMessage m = NetlinkMessage.allocate(arena, 256);
        m.begin(Rtnetlink.RTM_NEWLINK, 0);
        int outer = m.beginNested(Link.IFLA_LINKINFO);
        m.attributeString(Link.IFLA_INFO_KIND, "veth");
        int inner = m.beginNested(Link.IFLA_INFO_DATA | Netlink.NLA_F_NESTED);
        m.attributeU32(1, 5);
        m.endNested(inner).endNested(outer).finish();
        assertArrayEquals(hex(""
                + "2c000000 1000 0000 00000000 00000000"
                + "1c00 1200"                              // IFLA_LINKINFO, 28 bytes
                + "0900 0100 76657468 00 000000"           // IFLA_INFO_KIND "veth"
                + "0c00 0280"                              // IFLA_INFO_DATA | NLA_F_NESTED
                + "0800 0100 05000000"),
                bytes(m));
    }

    @Test
    void builderRefusesMisuse() {
        NetlinkMessage m = NetlinkMessage.allocate(arena, 32);
        assertThrows(IllegalStateException.class, () -> m.attributeU32(1, 1), "begin first");
        m.begin(1, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> m.putInt(0, 1), "the header is not ours to poke");
        assertThrows(IllegalStateException.class, () -> m.attribute(1, new byte[17]), "over capacity");
        m.finish();
        assertTrue(m.isFinished());
        assertThrows(IllegalStateException.class, () -> m.attributeU8(1, 1), "finished");
    }

    @Test
    void replyCursorWalksMessagesAndAttributes() {
        // Two messages in one datagram, as a dump delivers them: an RTM_NEWLINK and NLMSG_DONE.
        MemorySegment rx = arena.allocate(256);
        byte[] datagram = hex(""
                + "34000000 1000 0200 2a000000 39300000"   // len 52, RTM_NEWLINK, NLM_F_MULTI, seq 42
                + "00 00 0100 05000000 43100100 00000000"   // ifinfomsg: index 5, flags UP|RUNNING|LOWER_UP...
                + "0900 0300 74617030 00 000000"           // IFLA_IFNAME "tap0"
                + "0800 0400 dc050000"                     // IFLA_MTU 1500
                + "14000000 0300 0200 2a000000 39300000"   // NLMSG_DONE
                + "00000000");
        MemorySegment.copy(datagram, 0, rx, ValueLayout.JAVA_BYTE, 0, datagram.length);
        NetlinkReply r = new NetlinkReply(rx);
        r.reset(datagram.length);

        assertTrue(r.next());
        assertEquals(Rtnetlink.RTM_NEWLINK, r.type());
        assertEquals(Netlink.NLM_F_MULTI, r.flags());
        assertEquals(42, r.sequence());
        assertEquals(12345, r.portId());
        Link link = Link.decode(r);
        assertEquals(5, link.index());
        assertEquals("tap0", link.name());
        assertEquals(1500, link.mtu());
        assertTrue(link.up());
        assertNull(link.mac());
        assertNull(link.kind());

        assertTrue(r.next());
        assertEquals(Netlink.NLMSG_DONE, r.type());
        assertEquals(0, r.payloadInt(0));
        assertFalse(r.next());
    }

    @Test
    void truncatedMessagesAndAttributesAreErrors() {
        MemorySegment rx = arena.allocate(64);
        byte[] tooLong = hex("40000000 1000 0000 00000000 00000000");
        MemorySegment.copy(tooLong, 0, rx, ValueLayout.JAVA_BYTE, 0, tooLong.length);
        NetlinkReply r = new NetlinkReply(rx);
        r.reset(tooLong.length);
        assertThrows(IllegalStateException.class, r::next);

        byte[] badAttribute = hex("0c00 0300 7461");
        MemorySegment.copy(badAttribute, 0, rx, ValueLayout.JAVA_BYTE, 0, badAttribute.length);
        assertThrows(IllegalStateException.class, () -> NetlinkAttributes.parse(rx, 0, badAttribute.length));
    }

    @Test
    void attributesDecodeAddressesMacsAndNesting() throws Exception {
        NetlinkMessage m = NetlinkMessage.allocate(arena, 256);
        m.begin(1, 0);
        m.attribute(Route.RTA_GATEWAY, InetAddress.getByName("fe80::1").getAddress());
        m.attribute(Link.IFLA_ADDRESS, MacAddress.parse("02:00:00:00:00:01").octets());
        int n = m.beginNested(Link.IFLA_LINKINFO);
        m.attributeString(Link.IFLA_INFO_KIND, "tun");
        m.endNested(n);
        m.finish();
        NetlinkAttributes a = NetlinkAttributes.parse(m.segment(), Netlink.HEADER_SIZE, m.length());
        assertEquals(InetAddress.getByName("fe80::1"), a.inetAddress(Route.RTA_GATEWAY));
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), a.macAddress(Link.IFLA_ADDRESS));
        assertEquals("tun", a.nested(Link.IFLA_LINKINFO).string(Link.IFLA_INFO_KIND));
        assertFalse(a.has(Route.RTA_OIF));
        assertEquals(-1, a.length(Route.RTA_OIF));
        assertEquals(7, a.u32(Route.RTA_OIF, 7));
        assertThrows(IllegalStateException.class, () -> a.u32(Route.RTA_OIF));
        assertNull(a.macAddress(Route.RTA_GATEWAY), "16 bytes are no MAC");
    }
}
