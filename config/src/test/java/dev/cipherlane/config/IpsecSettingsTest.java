package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ipsec record guards settings built in code as the loader guards files. */
class IpsecSettingsTest {

    private static final Path KEYS = Path.of("/etc/cipherlane/keys");

    @ParameterizedTest
    @ValueSource(ints = {0, 64, 128, 1024, 4096})
    void replayWindowsTaken(int packets) {
        assertTrue(IpsecSettings.isValidReplayWindow(packets));
        assertEquals(packets, new IpsecSettings(true, KEYS, "jdk", 0, packets, false, 1024).replayWindow());
    }

    @ParameterizedTest
    @ValueSource(ints = {-64, 1, 32, 63, 65, 96, 1000, 8192, Integer.MIN_VALUE})
    void replayWindowsRefused(int packets) {
        assertFalse(IpsecSettings.isValidReplayWindow(packets));
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, KEYS, "jdk", 0, packets, false, 1024));
    }

    @Test
    void refusesRelativeKeyDirUnknownEngineAndOutOfRangeNumbers() {
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, Path.of("keys"), "jdk", 0, 64, false, 16));
        assertThrows(NullPointerException.class, () -> new IpsecSettings(true, null, "jdk", 0, 64, false, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, KEYS, "JDK", 0, 64, false, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, KEYS, "jdk", -1, 64, false, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, KEYS, "jdk", 17, 64, false, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpsecSettings(true, KEYS, "jdk", 0, 64, false, 15));
        assertThrows(IllegalArgumentException.class,
                () -> new IpsecSettings(true, KEYS, "jdk", 0, 64, false, (1L << 30) + 1));
        assertEquals(16, new IpsecSettings(true, KEYS, "bouncycastle", 16, 64, true, 1L << 30).cryptoThreads());
    }

    @Test
    void sevenArgumentSettingsHaveNoLifetimeLimits() {
        IpsecSettings settings = new IpsecSettings(true, KEYS, "jdk", 0, 64, false, 16);
        assertEquals(new IpsecLifetime(0, 0, 0, 0, Duration.ZERO, Duration.ZERO), settings.lifetime());
        assertEquals(IpsecLifetime.NONE, IpsecSettings.DEFAULTS.lifetime());
        assertThrows(NullPointerException.class, () -> new IpsecSettings(true, KEYS, "jdk", 0, 64, false, 16, null));
    }

    @Test
    void lifetimeLimitsAreZeroOrMoreWithSoftBelowHard() {
        Duration hour = Duration.ofHours(1);
        assertEquals(999, new IpsecLifetime(999, 1000, 0, 0, Duration.ZERO, Duration.ZERO).softBytes());
        assertEquals(hour, new IpsecLifetime(5, 0, 0, 7, Duration.ZERO, hour).hardTime());
        assertEquals(Duration.ofDays(106_751), new IpsecLifetime(0, 0, 0, 0, Duration.ofDays(106_751), Duration.ZERO)
                .softTime());
        assertThrows(IllegalArgumentException.class, () -> new IpsecLifetime(-1, 0, 0, 0, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new IpsecLifetime(0, 0, 0, -1, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new IpsecLifetime(0, 0, 0, 0, Duration.ofSeconds(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new IpsecLifetime(0, 0, 0, 0, Duration.ZERO, Duration.ofDays(106_752)));
        assertThrows(IllegalArgumentException.class,
                () -> new IpsecLifetime(1000, 1000, 0, 0, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new IpsecLifetime(0, 0, 11, 10, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new IpsecLifetime(0, 0, 0, 0, hour, Duration.ofMinutes(59)));
        assertThrows(NullPointerException.class, () -> new IpsecLifetime(0, 0, 0, 0, null, Duration.ZERO));
        assertTrue(IpsecLifetime.softBelowHard(0, 5));
        assertTrue(IpsecLifetime.softBelowHard(5, 0));
        assertFalse(IpsecLifetime.softBelowHard(5, 5));
    }

    @Test
    void oneKeyFilePerTunnelNamedByPeerAndIndex() {
        assertEquals(Path.of("/etc/cipherlane/keys/node-b.0.key"), IpsecSettings.DEFAULTS.keyFile("node-b", 0));
        assertEquals(Path.of("/etc/cipherlane/keys/node-b.15.key"), IpsecSettings.DEFAULTS.keyFile("node-b", 15));
    }
}
