package dev.cipherlane.chaos;

/** Which way a frame crosses the relay: from port A's wire to port B's, or back. */
public enum Direction {
    A_TO_B,
    B_TO_A;

    public Direction reverse() {
        return this == A_TO_B ? B_TO_A : A_TO_B;
    }
}
