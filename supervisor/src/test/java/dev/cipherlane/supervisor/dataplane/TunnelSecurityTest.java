package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.IpsecLifetime;
import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.ipsec.keys.KeyFileException;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files to SAs to protected tunnels, fail closed without keys, and limits reported. */
class TunnelSecurityTest {
    @TempDir
    Path dir;

    private static int ip(String text) {
        return (int) IpAddress.parse(text).low();
    }

    private static NodeForwarding forwarding() {
        UplinkInterface up = new UplinkInterface(0, "wire0", 0x0AA3_A7CC_EDCFL, 1500,
                List.of(new NetInterface.Ip4Address(ip("10.200.0.1"), 24)), List.of(), List.of(ip("10.200.0.11")), 1,
                "cl-host");
        PeerSettings peer = new PeerSettings("node-b", List.of(IpAddress.parse("10.200.0.2"),
                IpAddress.parse("10.200.0.12")), List.of(IpPrefix.parse("10.1.2.0/24")), 2);
        return NodeForwarding.build(List.of(), 0x02FE_0000_0001L, Optional.of(up), List.of(peer));
    }

    private void keyFile(Path keys, int tunnel, String mode) throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] in = new byte[36];
        byte[] out = new byte[36];
        for (int i = 0; i < 36; i++) {
            in[i] = (byte) (i + 1 + tunnel);
            out[i] = (byte) (0x80 + i + tunnel);
        }
        Path f = keys.resolve("node-b." + tunnel + ".key");
        Files.writeString(f, "spi-in 0x" + Integer.toHexString(0x2000 + tunnel) + "\nkey-in 0x" + hex.formatHex(in)
                + "\nspi-out 0x" + Integer.toHexString(0x1000 + tunnel) + "\nkey-out 0x" + hex.formatHex(out) + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    }

    private IpsecSettings settings(Path keys, IpsecLifetime lifetime) {
        return new IpsecSettings(true, keys, "jdk", 0, 1024, false, 1024, lifetime);
    }

    @Test
    void everyTunnelIsProtectedAndOneWithoutUsableKeysHasNoSa() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-r--r--"); // refused: others may read it
        Path state = Files.createDirectory(dir.resolve("state"));
        NodeForwarding f = forwarding();
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, f)) {
            TunnelTable.Snapshot t = f.tunnels();
            int t0 = f.tunnelInfo().get(0).index();
            int t1 = f.tunnelInfo().get(1).index();
            assertTrue(t.isProtected(t0) && t.isProtected(t1), "both protected: nothing leaves in clear");
            SaState out = s.snapshot().state(t.outboundSa(t0));
            assertEquals(0x1000, out.spi());
            assertTrue(out.outbound());
            assertTrue(t.acceptsSa(t0, s.snapshot().findInbound(0x2000)));
            assertEquals(TunnelTable.NO_SA, t.outboundSa(t1), "loose key file: no SA, its traffic is dropped");
            assertEquals(57, t.overhead(t0), "outer 20, ESP header 8, IV 8, padding up to 3, trailer 2, ICV 16");
            assertTrue(s.show().contains("0x00001000"), s.show());
            assertTrue(Files.isDirectory(state.resolve(TunnelSecurity.SEQUENCE_DIR)), "sequences reserved on disk");
        }
    }

    /** Issue: two key files with one key made two senders start at sequence 1 under one key and salt. */
    @Test
    void keyMaterialInTwoFilesStopsTheStartNamingBothFiles() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        // Tunnel 1's file gets tunnel 0's outbound key as its own outbound key, under other SPIs.
        Path second = keys.resolve("node-b.1.key");
        String first = Files.readString(keys.resolve("node-b.0.key"));
        String keyOut0 = first.lines().filter(l -> l.startsWith("key-out")).findFirst().orElseThrow();
        Files.writeString(second, Files.readString(second).lines()
                .map(l -> l.startsWith("key-out") ? keyOut0 : l).reduce("", (a, l) -> a + l + "\n"));
        Path state = Files.createDirectory(dir.resolve("state"));
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, forwarding()));
        assertTrue(e.getMessage().contains("node-b.0.key") && e.getMessage().contains("node-b.1.key"), e::getMessage);
    }

    @Test
    void oneFilesInboundKeyAsAnothersOutboundKeyStopsTheStart() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        String keyIn0 = Files.readString(keys.resolve("node-b.0.key")).lines()
                .filter(l -> l.startsWith("key-in")).findFirst().orElseThrow();
        Path second = keys.resolve("node-b.1.key");
        Files.writeString(second, Files.readString(second).lines()
                .map(l -> l.startsWith("key-out") ? "key-out" + keyIn0.substring("key-in".length()) : l)
                .reduce("", (a, l) -> a + l + "\n"));
        Path state = Files.createDirectory(dir.resolve("state"));
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, forwarding()));
        assertTrue(e.getMessage().contains("node-b.1.key (key-out)") && e.getMessage().contains("node-b.0.key (key-in)"),
                e::getMessage);
    }

    @Test
    void limitsCrossedAreReportedOnceAndShown() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        NodeForwarding f = forwarding();
        IpsecLifetime lifetime = new IpsecLifetime(0, 0, 2, 3, Duration.ZERO, Duration.ZERO);
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, lifetime), state, f)) {
            int sa = f.tunnels().outboundSa(f.tunnelInfo().get(0).index());
            assertEquals(List.of(), s.checkLimits());
            for (int i = 0; i < 3; i++) {
                s.table().state(sa).counters().account(100);
            }
            List<SaEvent> events = s.checkLimits();
            assertEquals(List.of(SaLimit.SOFT_PACKETS, SaLimit.HARD_PACKETS), events.stream().map(SaEvent::limit).toList());
            assertFalse(s.table().state(sa).usable(), "a hard limit ends the SA's use");
            assertEquals(List.of(), s.checkLimits(), "each limit once");
            assertTrue(s.show().contains("soft packets, hard packets"), s.show());
        }
    }
}
