package dev.cipherlane.ipsec.ike.keys;

import java.security.SecureRandom;

/**
 * One side of an IKEv2 Diffie-Hellman exchange (RFC 7296 section 1.2, KE payload section
 * 3.4): our key pair in one group, our public value as it goes on the wire, and {@link #agree}
 * to combine our private key with the peer's public value into g^ir.
 *
 * <p>The peer's value comes from the network, so {@link #agree} checks it the way RFC 6989
 * asks for each group and answers a bad one with {@link Agreement.Refused}, never with an
 * exception. {@link #destroy} drops the private key; JDK key objects mostly cannot be zeroed
 * ({@code Destroyable} is optional), so the bytes we hold ourselves are wiped and the rest is
 * left to the garbage collector. Printing shows the group only.
 */
public abstract sealed class KeyExchange permits X25519Exchange, Ecp256Exchange, Modp2048Exchange {
    private final DhGroup group;
    private final byte[] publicValue;
    private boolean destroyed;

    KeyExchange(DhGroup group, byte[] publicValue) {
        if (publicValue.length != group.publicValueLength()) {
            throw new IllegalStateException(group + " public value is " + publicValue.length + " bytes");
        }
        this.group = group;
        this.publicValue = publicValue;
    }

    /** A fresh key pair from the system's strong random source. */
    public static KeyExchange generate(DhGroup group) {
        return generate(group, new SecureRandom());
    }

    public static KeyExchange generate(DhGroup group, SecureRandom random) {
        return switch (group) {
            case CURVE25519 -> X25519Exchange.generate(random);
            case ECP_256 -> Ecp256Exchange.generate(random);
            case MODP_2048 -> Modp2048Exchange.generate(random);
        };
    }

    /**
     * A key pair from a fixed private key, for known-answer tests: the 32-byte X25519 scalar
     * (RFC 7748 section 5, little-endian, clamped by the provider), the 32-byte big-endian
     * ECP-256 scalar, or the big-endian MODP exponent. The array is copied.
     *
     * @throws IllegalArgumentException if the key is out of range for the group
     */
    public static KeyExchange fromPrivateKey(DhGroup group, byte[] privateKey) {
        return switch (group) {
            case CURVE25519 -> X25519Exchange.fromScalar(privateKey);
            case ECP_256 -> Ecp256Exchange.fromScalar(privateKey);
            case MODP_2048 -> Modp2048Exchange.fromExponent(privateKey);
        };
    }

    public final DhGroup group() {
        return group;
    }

    /** Our public value as the KE payload carries it; a copy. */
    public final byte[] publicValue() {
        return publicValue.clone();
    }

    /**
     * g^ir from the peer's KE payload data (the bytes after the DH group and reserved fields).
     * A value of the wrong length or one the group's checks refuse gives {@link Agreement.Refused}.
     */
    public final Agreement agree(byte[] peerPublicValue) {
        if (destroyed) {
            throw new IllegalStateException(group + " key exchange was destroyed");
        }
        if (peerPublicValue == null || peerPublicValue.length != group.publicValueLength()) {
            return new Agreement.Refused(KeyExchangeFailure.WRONG_LENGTH);
        }
        return agreeChecked(peerPublicValue);
    }

    /** {@code peer} has the group's length. */
    abstract Agreement agreeChecked(byte[] peer);

    /** Drops the private key; the object refuses {@link #agree} afterwards. */
    public final void destroy() {
        destroyed = true;
        forgetPrivateKey();
    }

    public final boolean isDestroyed() {
        return destroyed;
    }

    abstract void forgetPrivateKey();

    @Override
    public final String toString() {
        return "KeyExchange[" + group + " (" + group.transformId() + ")" + (destroyed ? ", destroyed]" : "]");
    }
}
