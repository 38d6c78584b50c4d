package dev.cipherlane.ipsec.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Test key files: random material, written with the mode the test asks for. */
final class KeyFiles {
    private KeyFiles() {}

    static byte[] material(long seed) {
        byte[] b = new byte[KeyMaterial.LENGTH];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A valid file text for the given SPIs and material. */
    static String text(String spiIn, byte[] keyIn, String spiOut, byte[] keyOut) {
        return "# tunnel to node-b\n"
                + "spi-in   " + spiIn + "\n"
                + "key-in   0x" + hex(keyIn) + "\n"
                + "\n"
                + "spi-out  " + spiOut + "\n"
                + "key-out  " + hex(keyOut) + "\n";
    }

    static Path write(Path dir, String name, String text, String mode) throws IOException {
        Path p = dir.resolve(name);
        Files.deleteIfExists(p);
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }
}
