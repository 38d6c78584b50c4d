package dev.cipherlane.config;

import java.time.Duration;
import java.util.Objects;

/**
 * SA lifetime limits (RFC 4301 section 4.4.2.1): reaching a soft limit warns that the SA
 * must be replaced, reaching a hard limit ends its use and its traffic is dropped. Each
 * kind is counted on its own and 0 means no limit of that kind.
 *
 * @param softBytes   ipsec.lifetime.soft-bytes
 * @param hardBytes   ipsec.lifetime.hard-bytes
 * @param softPackets ipsec.lifetime.soft-packets
 * @param hardPackets ipsec.lifetime.hard-packets
 * @param softTime    ipsec.lifetime.soft-time, counted from when the SA was installed
 * @param hardTime    ipsec.lifetime.hard-time
 */
public record IpsecLifetime(long softBytes, long hardBytes, long softPackets, long hardPackets, Duration softTime,
                            Duration hardTime) {

    public static final long MAX_COUNT = Long.MAX_VALUE;
    /** The longest time a nanosecond clock ({@link System#nanoTime}) can count in a long. */
    public static final Duration MAX_TIME = Duration.ofDays(106_751);

    public static final IpsecLifetime NONE = new IpsecLifetime(0, 0, 0, 0, Duration.ZERO, Duration.ZERO);

    public IpsecLifetime {
        Objects.requireNonNull(softTime, "softTime");
        Objects.requireNonNull(hardTime, "hardTime");
        checkCount("soft-bytes", softBytes);
        checkCount("hard-bytes", hardBytes);
        checkCount("soft-packets", softPackets);
        checkCount("hard-packets", hardPackets);
        checkTime("soft-time", softTime);
        checkTime("hard-time", hardTime);
        if (!softBelowHard(softBytes, hardBytes)) {
            throw new IllegalArgumentException("soft-bytes " + softBytes + " is not below hard-bytes " + hardBytes);
        }
        if (!softBelowHard(softPackets, hardPackets)) {
            throw new IllegalArgumentException("soft-packets " + softPackets + " is not below hard-packets " + hardPackets);
        }
        if (!softBelowHard(softTime.toNanos(), hardTime.toNanos())) {
            throw new IllegalArgumentException("soft-time " + DurationText.format(softTime) + " is not below hard-time "
                    + DurationText.format(hardTime));
        }
    }

    /**
     * A soft limit at or past its hard one would never warn before the SA dies; either
     * being 0 (no limit) leaves nothing to compare.
     */
    public static boolean softBelowHard(long soft, long hard) {
        return soft == 0 || hard == 0 || soft < hard;
    }

    private static void checkCount(String name, long value) {
        if (value < 0 || value > MAX_COUNT) {
            throw new IllegalArgumentException("ipsec lifetime " + name + " must be in 0.." + MAX_COUNT + ", not " + value);
        }
    }

    private static void checkTime(String name, Duration value) {
        if (value.isNegative() || value.compareTo(MAX_TIME) > 0) {
            throw new IllegalArgumentException("ipsec lifetime " + name + " must be in 0s.."
                    + DurationText.format(MAX_TIME) + ", not " + value);
        }
    }
}
