package dev.cipherlane.ipsec.keys;

import java.io.IOException;

/**
 * A key file the node refuses, with a one-line reason of the form
 * {@code file:line: what, expected ..., got ...}. The message never contains key material.
 */
public final class KeyFileException extends IOException {
    public KeyFileException(String message) {
        super(message);
    }
}
