package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Encodings that need no kernel: message types, network-order numbers, sockaddr_ll. */
class NftablesMessageTest {
    @Test
    void messageTypesAreSubsystemAndMessage() {
        // (NFNL_SUBSYS_NFTABLES 10 << 8) | NFT_MSG_*, as nfnetlink.h's NFNL_SUBSYS_ID/NFNL_MSG_TYPE split it.
        assertEquals(0x0a00, Nftables.messageType(Nftables.NFT_MSG_NEWTABLE));
        assertEquals(0x0a01, Nftables.messageType(Nftables.NFT_MSG_GETTABLE));
        assertEquals(0x0a02, Nftables.messageType(Nftables.NFT_MSG_DELTABLE));
        assertEquals(0x0a03, Nftables.messageType(Nftables.NFT_MSG_NEWCHAIN));
        assertEquals(0x10, Nftables.NFNL_MSG_BATCH_BEGIN);
        assertEquals(0x11, Nftables.NFNL_MSG_BATCH_END);
        assertEquals(12, Netlink.NETLINK_NETFILTER);
    }

    @Test
    void numbersGoOutInNetworkOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Nftables.be32(0x01020304));
            assertEquals(1, s.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(4, s.get(ValueLayout.JAVA_BYTE, 3));
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) Nftables.be16(Nftables.NFNL_SUBSYS_NFTABLES));
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 4));
            assertEquals(10, s.get(ValueLayout.JAVA_BYTE, 5));
        }
    }

    @Test
    void packetAddressBindsAnInterfaceAndEthertype() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ll = arena.allocate(SockAddr.LL_SIZE);
            assertEquals(20, SockAddr.packet(ll, 7, SockAddr.ETH_P_ALL));
            assertEquals(Sockets.AF_PACKET, SockAddr.family(ll));
            assertEquals(0, ll.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals(3, ll.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(7, SockAddr.packetIfIndex(ll));
            assertEquals("packet:ifindex 7 proto 0x3", SockAddr.describe(ll));
            int htons = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 0x0300 : 0x0003;
            assertEquals(htons, SockAddr.packetProtocol(SockAddr.ETH_P_ALL));
        }
    }

    @Test
    void namesAreChecked() throws Exception {
        // Validation happens before anything is sent, so a socket is not even needed to fail.
        assertThrows(IllegalArgumentException.class, () -> openAndInstall("", "c", "eth0"));
        assertThrows(IllegalArgumentException.class, () -> openAndInstall("t", "x".repeat(256), "eth0"));
        assertThrows(IllegalArgumentException.class, () -> openAndInstall("t", "c", "a/b"));
    }

    private static void openAndInstall(String table, String chain, String device) throws Exception {
        try (Nftables nft = Nftables.open()) {
            nft.installIngressDrop(table, chain, device);
        }
    }
}
