package dev.cipherlane.ipsec.sa;

import java.util.Arrays;
import java.util.Locale;

/**
 * One ESP SA as the control plane set it up (RFC 4301 section 4.4.2.1), immutable: AES-256-GCM
 * with a 16-byte ICV (RFC 4106), tunnel protection of one IPIP tunnel. What changes while the SA
 * carries traffic (sequence counter, replay window, counters, limit state) lives in its
 * {@link SaState}, kept by the {@link SaTable}.
 *
 * @param spi          the SPI: chosen by us for inbound SAs, by the peer for outbound ones. Values
 *                     0..255 are reserved (RFC 4303 section 2.1) and refused
 * @param direction    inbound or outbound
 * @param key          the 32-byte AES key (copied in and out; never printed)
 * @param salt         the 4-byte salt, big-endian (RFC 4106 section 8.1: bytes 32..35 of the keying material)
 * @param esn          64-bit extended sequence numbers (RFC 4303 section 2.2.1)
 * @param replayWindow inbound anti-replay window in packets: a power of two in
 *                     {@value #MIN_REPLAY_WINDOW}..{@value #MAX_REPLAY_WINDOW}, or 0 for no
 *                     anti-replay (RFC 4303 section 3.4.3). Ignored for outbound SAs
 * @param udp          UDP encapsulation (RFC 3948) or {@link UdpEncapsulation#NONE}
 * @param tunnel       the tunnel this SA protects (an index of the tunnel table; opaque here)
 * @param limits       byte, packet and time limits
 */
public record SecurityAssociation(int spi, Direction direction, byte[] key, int salt, boolean esn,
        int replayWindow, UdpEncapsulation udp, int tunnel, SaLimits limits) {
    public static final int KEY_BYTES = 32;
    public static final int SALT_BYTES = 4;
    /** Key then salt, as IKEv2 and key files deliver it (RFC 4106 section 8.1). */
    public static final int KEYMAT_BYTES = KEY_BYTES + SALT_BYTES;
    public static final int MIN_REPLAY_WINDOW = 64;
    public static final int MAX_REPLAY_WINDOW = 4096;
    /**
     * Default window: far above RFC 4303's minimum of 32, because packets of one SA may be
     * reordered by several workers and by ECMP on the underlay.
     */
    public static final int DEFAULT_REPLAY_WINDOW = 1024;
    /** SPIs 1..255 are reserved by IANA and 0 for local use (RFC 4303 section 2.1). */
    public static final int FIRST_SPI = 256;

    public SecurityAssociation {
        if (Integer.compareUnsigned(spi, FIRST_SPI) < 0) {
            throw new IllegalArgumentException("SPI " + spi + " is reserved (RFC 4303 section 2.1); use 256 or above");
        }
        if (direction == null) {
            throw new IllegalArgumentException("SA direction must be given");
        }
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a " + KEY_BYTES + "-byte key, got "
                    + (key == null ? "none" : key.length + " bytes"));
        }
        key = key.clone();
        if (replayWindow != 0 && (replayWindow < MIN_REPLAY_WINDOW || replayWindow > MAX_REPLAY_WINDOW
                || Integer.bitCount(replayWindow) != 1)) {
            throw new IllegalArgumentException("replay window must be 0 (off) or a power of two in "
                    + MIN_REPLAY_WINDOW + ".." + MAX_REPLAY_WINDOW + ", got " + replayWindow);
        }
        if (udp == null) {
            throw new IllegalArgumentException("UDP encapsulation must be given (UdpEncapsulation.NONE for none)");
        }
        if (tunnel < 0) {
            throw new IllegalArgumentException("tunnel index must not be negative, got " + tunnel);
        }
        if (limits == null) {
            throw new IllegalArgumentException("SA limits must be given (SaLimits.NONE for none)");
        }
    }

    /** An SA with defaults: no ESN, the default replay window, no UDP, no limits. */
    public static SecurityAssociation of(int spi, Direction direction, byte[] keyMaterial, int tunnel) {
        if (keyMaterial == null || keyMaterial.length != KEYMAT_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM keying material is " + KEYMAT_BYTES
                    + " bytes (32-byte key, 4-byte salt), got " + (keyMaterial == null ? "none" : keyMaterial.length));
        }
        int salt = (keyMaterial[32] & 0xFF) << 24 | (keyMaterial[33] & 0xFF) << 16
                | (keyMaterial[34] & 0xFF) << 8 | keyMaterial[35] & 0xFF;
        return new SecurityAssociation(spi, direction, Arrays.copyOf(keyMaterial, KEY_BYTES), salt, false,
                DEFAULT_REPLAY_WINDOW, UdpEncapsulation.NONE, tunnel, SaLimits.NONE);
    }

    public SecurityAssociation withEsn(boolean on) {
        return new SecurityAssociation(spi, direction, key, salt, on, replayWindow, udp, tunnel, limits);
    }

    public SecurityAssociation withReplayWindow(int packets) {
        return new SecurityAssociation(spi, direction, key, salt, esn, packets, udp, tunnel, limits);
    }

    public SecurityAssociation withUdp(UdpEncapsulation encapsulation) {
        return new SecurityAssociation(spi, direction, key, salt, esn, replayWindow, encapsulation, tunnel, limits);
    }

    public SecurityAssociation withLimits(SaLimits l) {
        return new SecurityAssociation(spi, direction, key, salt, esn, replayWindow, udp, tunnel, l);
    }

    /** A copy of the key; wipe it after use. */
    @Override
    public byte[] key() {
        return key.clone();
    }

    public boolean inbound() {
        return direction == Direction.INBOUND;
    }

    /** Equal SAs have equal keys too (records would compare the arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SecurityAssociation s && spi == s.spi && direction == s.direction
                && java.security.MessageDigest.isEqual(key, s.key) && salt == s.salt && esn == s.esn
                && replayWindow == s.replayWindow && udp.equals(s.udp) && tunnel == s.tunnel && limits.equals(s.limits);
    }

    @Override
    public int hashCode() {
        return (spi * 31 + direction.hashCode()) * 31 + tunnel;
    }

    /** Everything but the key and salt. */
    @Override
    public String toString() {
        return direction.name().toLowerCase(Locale.ROOT) + " sa spi 0x" + Integer.toHexString(spi) + " tunnel " + tunnel
                + (esn ? " esn" : "") + " window " + replayWindow + " " + udp;
    }
}
