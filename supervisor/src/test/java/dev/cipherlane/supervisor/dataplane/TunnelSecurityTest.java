package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.cipherlane.ipsec.sa.ReplayWindow;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** What a kill -9 leaves: the state directory as it is on disk now, no close, no write-back. */
    private Path crashCopy(Path state, String name) throws Exception {
        return crashCopy(state, name, true);
    }

    /** What a crash of the machine leaves: the same, with no exact-top cell to trust. */
    private Path machineCrashCopy(Path state, String name) throws Exception {
        return crashCopy(state, name, false);
    }

    private Path crashCopy(Path state, String name, boolean pageCacheKept) throws Exception {
        Path copy = dir.resolve(name);
        try (var files = Files.walk(state)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(state.relativize(f).toString());
                String file = f.getFileName().toString();
                if (Files.isDirectory(f)) {
                    Files.createDirectory(to);
                    Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(f));
                } else if (!file.equals("lock") && !file.startsWith(".") && (pageCacheKept || !file.endsWith(".top"))) {
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    private static ReplayWindow inboundWindow(TunnelSecurity s, int spi) {
        return s.snapshot().state(s.snapshot().findInbound(spi)).window();
    }

    /** Issue 10 item 2: with static keys every captured packet was accepted again after a restart. */
    @Test
    void noInboundNumberAcceptedBeforeACrashIsAcceptedAfterIt() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        Path crashed;
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, forwarding())) {
            ReplayWindow w = inboundWindow(s, 0x2000);
            for (long seq = 1; seq <= 500; seq++) {
                assertEquals(ReplayWindow.OK, w.accept(seq));
            }
            crashed = machineCrashCopy(state, "crashed");
            Path killed = crashCopy(state, "killed");
            try (TunnelSecurity k = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), killed, forwarding())) {
                ReplayWindow after = inboundWindow(k, 0x2000);
                for (long seq = 1; seq <= 500; seq++) {
                    assertNotEquals(ReplayWindow.OK, after.accept(seq), "number " + seq + " accepted before the kill");
                }
                assertEquals(ReplayWindow.OK, after.accept(501), "after a kill -9 the peer's next number passes");
            }
        }
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), crashed, forwarding())) {
            ReplayWindow w = inboundWindow(s, 0x2000);
            for (long seq = 1; seq <= 500; seq++) {
                assertNotEquals(ReplayWindow.OK, w.check(seq), "number " + seq + " accepted before the crash");
                assertNotEquals(ReplayWindow.OK, w.accept(seq), "number " + seq + " accepted before the crash");
            }
            assertNotEquals(ReplayWindow.OK, w.accept(1024), "up to the mark on disk counts as seen after a crash");
            assertEquals(ReplayWindow.OK, w.accept(1025), "the peer's new numbers pass");
            assertNotEquals(ReplayWindow.OK, inboundWindow(s, 0x2001).accept(1),
                    "a crash rounds every window up to its mark, used or not");
        }
        // An orderly stop wrote back the top: the next start refuses exactly what was accepted.
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), crashed, forwarding())) {
            ReplayWindow w = inboundWindow(s, 0x2000);
            assertEquals(ReplayWindow.REPLAY, w.accept(1025));
            assertEquals(ReplayWindow.OK, w.accept(1026));
        }
    }

    @Test
    void aDamagedReplayFileFailsItsTunnelClosedAndTheNodeStarts() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, forwarding())) {
            inboundWindow(s, 0x2000).accept(7);
        }
        Path replay;
        try (var files = Files.list(state.resolve(TunnelSecurity.SEQUENCE_DIR))) {
            List<Path> replays = files.filter(p -> p.toString().endsWith(".replay")).sorted().toList();
            assertEquals(2, replays.size(), "one replay file per inbound key: " + replays);
            replay = replays.stream().filter(p -> {
                try {
                    return Files.readString(p).contains("spi=0x00002000");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).findFirst().orElseThrow();
        }
        Files.writeString(replay, Files.readString(replay).replace("accepted-through=7", "accepted-through=0"));
        NodeForwarding f = forwarding();
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, f)) {
            int t0 = f.tunnelInfo().get(0).index();
            int t1 = f.tunnelInfo().get(1).index();
            assertTrue(f.tunnels().isProtected(t0), "still protected: nothing leaves in clear");
            assertEquals(TunnelTable.NO_SA, f.tunnels().outboundSa(t0), "damaged replay state: no SA");
            assertEquals(dev.cipherlane.ipsec.sa.SaTable.Snapshot.NOT_FOUND, s.snapshot().findInbound(0x2000), "nor an inbound one");
            assertNotEquals(TunnelTable.NO_SA, f.tunnels().outboundSa(t1), "the other tunnel carries on");
        }
    }

    /** Issue 10 item 4: counters lived only in memory, so an SA past its hard limit carried traffic again. */
    @Test
    void anSaPastItsHardLimitStaysDownAfterACrash() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        // Steps of one packet (a sixteenth of the smallest limit): a crash rounds usage up by one.
        IpsecLifetime lifetime = new IpsecLifetime(0, 0, 20, 32, Duration.ZERO, Duration.ZERO);
        NodeForwarding f = forwarding();
        Path crashed;
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, lifetime), state, f)) {
            int out = f.tunnels().outboundSa(f.tunnelInfo().get(0).index());
            int in = s.snapshot().findInbound(0x2001);
            for (int i = 0; i < 32; i++) {
                s.table().state(out).counters().account(100);
            }
            for (int i = 0; i < 20; i++) {
                s.table().state(in).counters().account(100);
            }
            assertEquals(List.of(SaLimit.SOFT_PACKETS, SaLimit.HARD_PACKETS, SaLimit.SOFT_PACKETS),
                    s.checkLimits().stream().map(SaEvent::limit).toList());
            crashed = crashCopy(state, "crashed");
        }
        NodeForwarding g = forwarding();
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, lifetime), crashed, g)) {
            int out = g.tunnels().outboundSa(g.tunnelInfo().get(0).index());
            int in = s.snapshot().findInbound(0x2001);
            assertFalse(s.snapshot().state(out).usable(), "past its hard limit before the crash: still down");
            assertTrue(s.snapshot().state(in).usable(), "past its soft limit only: carries traffic");
            List<SaEvent> events = s.checkLimits();
            assertTrue(events.stream().anyMatch(e -> e.sa() == out && e.limit() == SaLimit.HARD_PACKETS), events::toString);
            assertTrue(events.stream().anyMatch(e -> e.sa() == in && e.limit() == SaLimit.SOFT_PACKETS),
                    "the soft limit warns again: " + events);
            assertTrue(s.snapshot().state(g.tunnels().outboundSa(g.tunnelInfo().get(1).index())).usable(),
                    "the other tunnel's SAs start their own lifetimes");
        }
    }

    @Test
    void aHardLifetimeRunsOnAcrossARestart() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        IpsecLifetime lifetime = new IpsecLifetime(0, 0, 0, 0, Duration.ofMillis(300), Duration.ofMillis(600));
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, lifetime), state, forwarding())) {
            assertTrue(s.snapshot().state(s.snapshot().findInbound(0x2000)).usable());
        }
        Thread.sleep(700);
        NodeForwarding f = forwarding();
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, lifetime), state, f)) {
            assertFalse(s.snapshot().state(s.snapshot().findInbound(0x2000)).usable(),
                    "the key came into use 700 ms ago: past its 600 ms lifetime from the first packet");
            assertFalse(s.snapshot().state(f.tunnels().outboundSa(f.tunnelInfo().get(0).index())).usable());
        }
    }

    @Test
    void aTunnelAddedLiveIsProtectedAllOrNothingAndOneRemovedWritesItsStateBack() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        keyFile(keys, 0, "rw-------");
        keyFile(keys, 1, "rw-------");
        Path state = Files.createDirectory(dir.resolve("state"));
        NodeForwarding f = forwarding();
        PeerSettings three = new PeerSettings("node-b", List.of(IpAddress.parse("10.200.0.2"),
                IpAddress.parse("10.200.0.12"), IpAddress.parse("10.200.0.22")), List.of(IpPrefix.parse("10.1.2.0/24")), 3);
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, f)) {
            NodeForwarding.TunnelInfo third = f.addTunnels(three).getFirst();
            assertThrows(java.io.IOException.class, () -> s.protectTunnel(f, third), "no key file: refused, not fail closed");
            // A file repeating tunnel 0's inbound SPI is refused too: two SAs could not be told apart.
            Files.copy(keys.resolve("node-b.0.key"), keys.resolve("node-b.2.key"));
            assertTrue(assertThrows(java.io.IOException.class, () -> s.protectTunnel(f, third)).getMessage()
                    .contains("already the inbound SPI of a running tunnel"));
            Files.delete(keys.resolve("node-b.2.key"));
            keyFile(keys, 2, "rw-------");
            s.protectTunnel(f, third);
            int out = f.tunnels().outboundSa(third.index());
            assertEquals(0x1002, s.snapshot().state(out).spi());
            assertTrue(f.tunnels().acceptsSa(third.index(), s.snapshot().findInbound(0x2002)));
            long next = s.rows().stream().filter(r -> r.spi().equals("0x00001002")).findFirst().orElseThrow().nextSequence();

            s.unprotectTunnel(f, third);
            assertEquals(TunnelTable.NO_SA, f.tunnels().outboundSa(third.index()), "fail closed until it goes");
            assertEquals(dev.cipherlane.ipsec.sa.SaTable.Snapshot.NOT_FOUND, s.snapshot().findInbound(0x2002));
            assertEquals(4, s.rows().size(), "tunnels 0 and 1 keep their SAs");
            // Made again, it resumes past every number it could have sent: none repeats.
            s.protectTunnel(f, third);
            long resumed = s.rows().stream().filter(r -> r.spi().equals("0x00001002")).findFirst().orElseThrow().nextSequence();
            assertTrue(resumed >= next, resumed + " >= " + next);
        }
    }

    private static dev.cipherlane.ipsec.keys.KeyMaterial material(int seed) {
        byte[] k = new byte[36];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return dev.cipherlane.ipsec.keys.KeyMaterial.of(k);
    }

    @Test
    void negotiatedSasAreInstalledMakeBeforeBreakAndRemovedBySpi() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        Path state = Files.createDirectory(dir.resolve("state"));
        NodeForwarding f = forwarding();
        try (TunnelSecurity s = TunnelSecurity.protect(settings(keys, IpsecLifetime.NONE), state, f)) {
            NodeForwarding.TunnelInfo t = f.tunnelInfo().get(0);
            assertEquals(TunnelTable.NO_SA, f.tunnels().outboundSa(t.index()), "no keys yet: fail closed");
            int[] first = s.installNegotiated(f, t, new TunnelSecurity.NegotiatedSa(0x3001, material(1), 0x4001,
                    material(2), false));
            assertEquals(first[1], f.tunnels().outboundSa(t.index()));
            assertTrue(f.tunnels().acceptsSa(t.index(), first[0]));
            // A rekey: the new pair in, both inbound accepted, still sending on the old until it goes.
            int[] second = s.installNegotiated(f, t, new TunnelSecurity.NegotiatedSa(0x3002, material(3), 0x4002,
                    material(4), false));
            assertEquals(first[1], f.tunnels().outboundSa(t.index()));
            assertTrue(f.tunnels().acceptsSa(t.index(), first[0]) && f.tunnels().acceptsSa(t.index(), second[0]));
            assertThrows(IllegalArgumentException.class, () -> s.installNegotiated(f, t,
                    new TunnelSecurity.NegotiatedSa(0x3002, material(5), 0x4003, material(6), false)), "inbound SPI in use");
            s.removeNegotiated(f, t, 0x3001, 0x4001);
            assertFalse(f.tunnels().acceptsSa(t.index(), first[0]));
            assertEquals(dev.cipherlane.ipsec.sa.SaTable.Snapshot.NOT_FOUND, s.snapshot().findInbound(0x3001));
            assertEquals(second[1], f.tunnels().outboundSa(t.index()), "the new outbound SA took over");
            assertEquals(2, s.rows().stream().filter(r -> r.tunnel() == t.index()).count());
            s.removeNegotiated(f, t, 0x3002, 0x4002);
            assertEquals(TunnelTable.NO_SA, f.tunnels().outboundSa(t.index()), "none left: fail closed");
        }
    }
}
