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

    @Test
    void atomicWriteReplacesWholeFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve(UplinkTakeover.STATE_FILE);
        StateFiles.write(file, "one\n".getBytes(StandardCharsets.UTF_8));
        StateFiles.write(file, "two\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("two\n", Files.readString(file));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
        StateFiles.delete(file);
        StateFiles.delete(file);
        assertFalse(Files.exists(file));
    }
}
