package dev.cipherlane.ipsec.ike.keys;

import java.util.Optional;

/**
 * The Diffie-Hellman groups we negotiate (IKEv2 transform type 4), in order of preference
 * (DESIGN: X25519 first, ECP-256 and MODP-2048 as fallbacks), with the lengths of the public
 * value in a KE payload and of the shared secret g^ir.
 */
public enum DhGroup {
    /** RFC 8031 section 2: both are the 32-byte little-endian u-coordinate. */
    CURVE25519(31, 32, 32),
    /** RFC 5903 section 7: the public value is x ‖ y, the shared secret x alone. */
    ECP_256(19, 64, 32),
    /** RFC 3526 section 3; RFC 7296 section 3.4: both left-padded to the prime's 256 bytes. */
    MODP_2048(14, 256, 256);

    private final int transformId;
    private final int publicValueLength;
    private final int sharedSecretLength;

    DhGroup(int transformId, int publicValueLength, int sharedSecretLength) {
        this.transformId = transformId;
        this.publicValueLength = publicValueLength;
        this.sharedSecretLength = sharedSecretLength;
    }

    /** The IANA "Transform Type 4" number carried in proposals and in the KE payload. */
    public int transformId() {
        return transformId;
    }

    public int publicValueLength() {
        return publicValueLength;
    }

    public int sharedSecretLength() {
        return sharedSecretLength;
    }

    public static Optional<DhGroup> byTransformId(int id) {
        for (DhGroup g : values()) {
            if (g.transformId == id) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
