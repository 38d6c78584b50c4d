package dev.cipherlane.ipsec.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * IKE's pre-shared key from a file: the file's bytes, without a final line end, checked as a
 * key file is ({@link SecretFile}). A key shorter than {@link #MIN_BYTES} is refused: a PSK
 * is the whole of IKE's authentication here, and RFC 7296 section 2.15 warns that a short one
 * falls to a dictionary attack on one captured exchange.
 */
public final class PskFile {
    public static final int MIN_BYTES = 16;
    public static final int MAX_BYTES = 1024;

    private PskFile() {}

    /** The key's bytes; the caller wipes them once it made its key from them. */
    public static byte[] load(Path file) throws IOException {
        byte[] raw = SecretFile.read(file, "a pre-shared key file", "a pre-shared key of at most " + MAX_BYTES + " bytes", MAX_BYTES);
        int n = raw.length;
        while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) {
            n--;
        }
        byte[] key = Arrays.copyOf(raw, n);
        Arrays.fill(raw, (byte) 0);
        return check(key, file.toString());
    }

    /** Refuses a key too short; {@code where} names where it came from, never the key. */
    public static byte[] check(byte[] key, String where) throws KeyFileException {
        if (key.length < MIN_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new KeyFileException(where + ": a pre-shared key of " + key.length + " bytes, expected at least "
                    + MIN_BYTES);
        }
        return key;
    }
}
