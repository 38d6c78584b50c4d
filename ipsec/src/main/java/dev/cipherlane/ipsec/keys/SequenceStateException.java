package dev.cipherlane.ipsec.keys;

import java.io.IOException;

/**
 * A sequence state file or directory the node cannot trust. The SA it belongs to stays
 * down: guessing a starting number could reuse nonces under the key (RFC 4303 section
 * 3.3.3), so the node never falls back to 1.
 */
public final class SequenceStateException extends IOException {
    public SequenceStateException(String message) {
        super(message);
    }
}
