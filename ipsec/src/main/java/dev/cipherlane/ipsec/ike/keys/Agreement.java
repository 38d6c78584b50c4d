package dev.cipherlane.ipsec.ike.keys;

/** What {@link KeyExchange#agree} gives: the shared secret, or why the peer's value was refused. */
public sealed interface Agreement {
    /** The peer's value was good: here is g^ir. */
    record Agreed(SharedSecret secret) implements Agreement {}

    /** The peer's value was refused; nothing secret was computed from it. */
    record Refused(KeyExchangeFailure failure) implements Agreement {}
}
