package dev.cipherlane.host.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.Route;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file's text: a round trip, and refusals that name file:line. */
class UplinkStateFormatTest {
    private static final Path FILE = Path.of("/run/cipherlane/uplink.state");

    private static UplinkState sample() {
        return new UplinkState("eth0", "clhost0", MacAddress.parse("02:12:34:56:78:9a"), 1500,
                List.of(new UplinkAddress(InetAddress.ofLiteral("10.252.0.1"), 24, 0),
                        new UplinkAddress(InetAddress.ofLiteral("fd52::1"), 64, 2)),
                List.of(new SavedRoute(InetAddress.ofLiteral("0.0.0.0"), 0, InetAddress.ofLiteral("10.252.0.254"),
                                Route.RT_TABLE_MAIN, 0, 0, Route.RTPROT_BOOT, Route.RTN_UNICAST, 0),
                        new SavedRoute(InetAddress.ofLiteral("fd52::"), 64, null, Route.RT_TABLE_MAIN, 0, 0,
                                Route.RTPROT_KERNEL, Route.RTN_UNICAST, 256),
                        new SavedRoute(InetAddress.ofLiteral("::"), 0, InetAddress.ofLiteral("fd52::fe"),
                                Route.RT_TABLE_MAIN, 0, 0, Route.RTPROT_STATIC, Route.RTN_UNICAST, -1)));
    }

    @Test
    void roundTrip() throws Exception {
        UplinkState state = sample();
        assertEquals(state, UplinkStateFormat.decode(FILE, UplinkStateFormat.encode(state)));
    }

    @Test
    void corruptLineIsNamed() {
        String text = new String(UplinkStateFormat.encode(sample()), StandardCharsets.UTF_8)
                .replace("address 10.252.0.1/24", "address 10.252.0.1/33");
        UplinkStateException e = assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().startsWith(FILE + ":5: "), e.getMessage());
    }

    @Test
    void unknownFieldIsRefused() {
        String text = new String(UplinkStateFormat.encode(sample()), StandardCharsets.UTF_8)
                .replace(" mtu=1500", " mtu=1500 colour=blue");
        UplinkStateException e = assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
    }

    @Test
    void truncatedFileIsRefused() {
        byte[] whole = UplinkStateFormat.encode(sample());
        String text = new String(whole, StandardCharsets.UTF_8);
        // Cut after a complete line but before "end": the count line is missing.
        byte[] cut = text.substring(0, text.indexOf("end ")).getBytes(StandardCharsets.UTF_8);
        assertThrows(UplinkStateException.class, () -> UplinkStateFormat.decode(FILE, cut));
        // Cut in the middle of a line.
        byte[] mid = text.substring(0, text.length() - 3).getBytes(StandardCharsets.UTF_8);
        UplinkStateException e = assertThrows(UplinkStateException.class, () -> UplinkStateFormat.decode(FILE, mid));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongCountIsRefused() {
        String text = new String(UplinkStateFormat.encode(sample()), StandardCharsets.UTF_8).replace("end 5", "end 4");
        assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void restoreWithoutStateFileDoesNothing(@TempDir Path dir) throws Exception {
        assertFalse(UplinkTakeover.restore(dir));
    }

    @Test
    void restoreRefusesCorruptFileNamingTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(UplinkTakeover.STATE_FILE);
        Files.writeString(file, "cipherlane-uplink-state 1\nuplink eth0 host-tap=t0 mac=zz mtu=1500\nend 0\n");
        UplinkStateException e = assertThrows(UplinkStateException.class, () -> UplinkTakeover.restore(dir));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
        assertTrue(Files.exists(file), "a corrupt file is left for an operator");
    }

    /** What the takeover of the previous release wrote: a node upgraded mid-takeover must restore from it. */
    private static final String WRITTEN_BY_0_1 = """
            # Cipherlane uplink takeover: what to give back to eth0.
            # Written before the takeover, deleted once restored; do not edit.
            cipherlane-uplink-state 1
            uplink eth0 host-tap=clhost0 mac=02:12:34:56:78:9a mtu=1500
            address 10.252.0.1/24 flags=0
            address fd52:0:0:0:0:0:0:1/64 flags=2
            route 0.0.0.0/0 via=10.252.0.254 table=254 scope=0 flags=0 protocol=3 type=1 metric=0
            route fd52:0:0:0:0:0:0:0/64 table=254 scope=0 flags=0 protocol=2 type=1 metric=256
            route 0:0:0:0:0:0:0:0/0 via=fd52:0:0:0:0:0:0:fe table=254 scope=0 flags=0 protocol=4 type=1 metric=4294967295
            end 5
            """;

    @Test
    void readsAndWritesTheFileOfThePreviousRelease() throws Exception {
        byte[] old = WRITTEN_BY_0_1.getBytes(StandardCharsets.UTF_8);
        assertEquals(sample(), UplinkStateFormat.decode(FILE, old));
        assertEquals(WRITTEN_BY_0_1, new String(UplinkStateFormat.encode(sample()), StandardCharsets.UTF_8));
    }

    @Test
    void theUplinkRecordComesOnceAndFirst() {
        String twice = WRITTEN_BY_0_1.replace("address 10.252.0.1/24", "uplink eth1 host-tap=t1 mac=02:00:00:00:00:01 "
                + "mtu=1500\naddress 10.252.0.1/24");
        UplinkStateException e = assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, twice.getBytes(StandardCharsets.UTF_8)));
        assertEquals(FILE + ":5: a second \"uplink\" record", e.getMessage());
        String late = WRITTEN_BY_0_1.replaceFirst("uplink eth0 .*\n", "")
                .replace("end 5", "uplink eth0 host-tap=clhost0 mac=02:12:34:56:78:9a mtu=1500\nend 5");
        e = assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, late.getBytes(StandardCharsets.UTF_8)));
        assertEquals(FILE + ":9: the \"uplink\" record must come before the others", e.getMessage());
        String none = "cipherlane-uplink-state 1\nend 0\n";
        e = assertThrows(UplinkStateException.class,
                () -> UplinkStateFormat.decode(FILE, none.getBytes(StandardCharsets.UTF_8)));
        assertEquals(FILE + ": no \"uplink\" record", e.getMessage());
    }
}
