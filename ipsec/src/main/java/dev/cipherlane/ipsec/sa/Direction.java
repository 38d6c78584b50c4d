package dev.cipherlane.ipsec.sa;

/** Which way an SA protects traffic: each SA is unidirectional (RFC 4301 section 4.1). */
public enum Direction {
    /** Packets we receive and decrypt; found by SPI. */
    INBOUND,
    /** Packets we encrypt and send; found by SA index. */
    OUTBOUND
}
