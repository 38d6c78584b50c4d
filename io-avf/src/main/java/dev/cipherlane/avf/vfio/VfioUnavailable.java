package dev.cipherlane.avf.vfio;

import java.io.IOException;

/**
 * The host cannot give us the VF through VFIO; the message names what it lacks and how a
 * host gets it (io-avf/README.md, "Running on a real VF").
 */
public final class VfioUnavailable extends IOException {
    public VfioUnavailable(String message) {
        super(message);
    }

    public VfioUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
