package dev.cipherlane.ipsec.sa;

import java.time.Duration;

/**
 * Lifetime limits of an SA (RFC 4301 section 4.4.2.1, "Lifetime of this SA"): a soft limit warns
 * the control plane to rekey, a hard limit ends the SA. Bytes count the protected inner packets.
 * Zero (or {@link Duration#ZERO}) means no such limit.
 *
 * <p>Byte and packet limits are checked on the data path; lifetimes by the control plane
 * ({@link SaTable#checkLifetimes()}), which owns the clock.
 */
public record SaLimits(long softBytes, long hardBytes, long softPackets, long hardPackets,
        Duration softLifetime, Duration hardLifetime) {
    public static final SaLimits NONE = new SaLimits(0, 0, 0, 0, Duration.ZERO, Duration.ZERO);

    public SaLimits {
        if (softBytes < 0 || hardBytes < 0 || softPackets < 0 || hardPackets < 0) {
            throw new IllegalArgumentException("SA limits must not be negative");
        }
        if (softLifetime == null || hardLifetime == null || softLifetime.isNegative() || hardLifetime.isNegative()) {
            throw new IllegalArgumentException("SA lifetimes must be given and not negative");
        }
        if (softBytes > 0 && hardBytes > 0 && softBytes > hardBytes) {
            throw new IllegalArgumentException("soft byte limit " + softBytes + " above hard limit " + hardBytes);
        }
        if (softPackets > 0 && hardPackets > 0 && softPackets > hardPackets) {
            throw new IllegalArgumentException("soft packet limit " + softPackets + " above hard limit " + hardPackets);
        }
        if (!softLifetime.isZero() && !hardLifetime.isZero() && softLifetime.compareTo(hardLifetime) > 0) {
            throw new IllegalArgumentException("soft lifetime " + softLifetime + " longer than hard lifetime " + hardLifetime);
        }
    }

    public static SaLimits bytes(long soft, long hard) {
        return new SaLimits(soft, hard, 0, 0, Duration.ZERO, Duration.ZERO);
    }

    public static SaLimits packets(long soft, long hard) {
        return new SaLimits(0, 0, soft, hard, Duration.ZERO, Duration.ZERO);
    }

    public static SaLimits lifetime(Duration soft, Duration hard) {
        return new SaLimits(0, 0, 0, 0, soft, hard);
    }
}
