package dev.cipherlane.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * IKEv2 (RFC 7296) with a pre-shared key, negotiating each tunnel's ESP keys when
 * {@code ipsec.keys = "ike"}. The PSK comes from a file (owner-only, like the key files) or an
 * environment variable, never from the config itself, so {@code show config} and the logs
 * never hold it.
 *
 * @param pskFile       ipsec.ike.psk-file: the file holding the PSK, or empty
 * @param pskEnv        ipsec.ike.psk-env: the environment variable holding it, or empty
 * @param ikeLifetime   ipsec.ike.ike-lifetime: when an IKE SA is rekeyed, less up to 10% at random
 * @param childLifetime ipsec.ike.child-lifetime: when a CHILD SA is rekeyed, the same way
 * @param liveness      ipsec.ike.liveness: quiet time after which the peer is asked whether it lives
 * @param pfs           ipsec.ike.pfs: a fresh Diffie-Hellman exchange in each CHILD SA rekey
 */
public record IkeSettings(Optional<Path> pskFile, Optional<String> pskEnv, Duration ikeLifetime, Duration childLifetime,
                          Duration liveness, boolean pfs) {
    public static final Duration MIN_LIFETIME = Duration.ofSeconds(5);
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);
    public static final Duration MIN_LIVENESS = Duration.ofSeconds(1);
    public static final Duration MAX_LIVENESS = Duration.ofHours(1);

    /** reference.conf's ipsec.ike; a test checks the two agree. */
    public static final IkeSettings DEFAULTS = new IkeSettings(Optional.empty(), Optional.empty(), Duration.ofHours(4),
            Duration.ofHours(1), Duration.ofSeconds(30), true);

    public IkeSettings {
        Objects.requireNonNull(pskFile, "pskFile");
        Objects.requireNonNull(pskEnv, "pskEnv");
        pskFile.ifPresent(f -> {
            if (!f.isAbsolute()) {
                throw new IllegalArgumentException("ipsec.ike.psk-file " + f + " is not absolute");
            }
        });
        Bounds.check("ipsec.ike.ike-lifetime", ikeLifetime, MIN_LIFETIME, MAX_LIFETIME);
        Bounds.check("ipsec.ike.child-lifetime", childLifetime, MIN_LIFETIME, MAX_LIFETIME);
        Bounds.check("ipsec.ike.liveness", liveness, MIN_LIVENESS, MAX_LIVENESS);
    }
}
