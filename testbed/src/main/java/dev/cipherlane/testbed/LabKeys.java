package dev.cipherlane.testbed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The static ESP keys of a lab, written the way an operator would provision them
 * (reference.conf, {@code ipsec.key-dir}): for every two nodes and every tunnel between them
 * two SAs, one per direction, each with its own SPI and its own 36 bytes of AES-256 key and
 * salt from a {@link SecureRandom} (RFC 4106 section 8.1). Node A's file for tunnel i to B
 * holds B's file for tunnel i to A with in and out swapped.
 *
 * <p>SPIs are unique in the whole lab, not just per receiving node as RFC 4303 section 2.1
 * needs, so a capture on the wire names the tunnel and direction of an ESP packet by its SPI
 * alone. Every key directory is 0700 and every file 0600 from the moment it exists, as the
 * node's key loader insists.
 */
public final class LabKeys {
    /** Name of a node's key directory inside its lab directory. */
    public static final String DIRECTORY = "keys";
    /** AES-256 key then 4-byte salt (RFC 4106 section 8.1). */
    static final int MATERIAL_BYTES = 36;
    /** SPIs below this are reserved (RFC 4303 section 2.1). */
    static final long FIRST_SPI = 256;

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private LabKeys() {}

    /** One direction of a tunnel: the sender's outbound SA, the receiver's inbound one. */
    private record Sa(int spi, byte[] material) {}

    /**
     * Writes the key files of every node of {@code spec}: node k's go into
     * {@code keyDirs.get(k - 1)}, one per peer and tunnel.
     */
    public static void write(LabSpec spec, List<Path> keyDirs, SecureRandom random) throws IOException {
        if (keyDirs.size() != spec.nodes()) {
            throw new IllegalArgumentException(spec.nodes() + " nodes need as many key directories, got "
                    + keyDirs.size());
        }
        for (Path d : keyDirs) {
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, DIRECTORY_MODE);
        }
        Set<Integer> spis = new HashSet<>();
        for (int a = 1; a <= spec.nodes(); a++) {
            for (int b = a + 1; b <= spec.nodes(); b++) {
                for (int t = 0; t < spec.tunnels(); t++) {
                    Sa aToB = new Sa(freshSpi(random, spis), material(random));
                    Sa bToA = new Sa(freshSpi(random, spis), material(random));
                    try {
                        writeFile(file(keyDirs.get(a - 1), LabConfig.nodeName(b), t), a, b, t, bToA, aToB);
                        writeFile(file(keyDirs.get(b - 1), LabConfig.nodeName(a), t), b, a, t, aToB, bToA);
                    } finally {
                        Arrays.fill(aToB.material(), (byte) 0);
                        Arrays.fill(bToA.material(), (byte) 0);
                    }
                }
            }
        }
    }

    /** The key file of tunnel {@code tunnel} (from 0) to {@code peer}: {@code <peer>.<tunnel>.key} (reference.conf). */
    public static Path file(Path keyDir, String peer, int tunnel) {
        return keyDir.resolve(peer + "." + tunnel + ".key");
    }

    private static int freshSpi(SecureRandom random, Set<Integer> used) {
        while (true) {
            int spi = random.nextInt();
            if (Integer.toUnsignedLong(spi) >= FIRST_SPI && used.add(spi)) {
                return spi;
            }
        }
    }

    private static byte[] material(SecureRandom random) {
        byte[] m = new byte[MATERIAL_BYTES];
        random.nextBytes(m);
        return m;
    }

    /** Writes one file, created 0600 so the key is never readable by others, not even for a moment. */
    private static void writeFile(Path file, int self, int peer, int tunnel, Sa in, Sa out) throws IOException {
        byte[] text = text(self, peer, tunnel, in, out);
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE_MODE))) {
            ByteBuffer buf = ByteBuffer.wrap(text);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } finally {
            Arrays.fill(text, (byte) 0);
        }
        // The process umask can only have taken bits away; say the mode outright anyway.
        Files.setPosixFilePermissions(file, FILE_MODE);
    }

    /** The file's bytes; key material goes straight from bytes to hex digits, never through a String. */
    private static byte[] text(int self, int peer, int tunnel, Sa in, Sa out) {
        byte[] head = ("# Written by the Cipherlane lab: tunnel " + tunnel + " between " + LabConfig.nodeName(self)
                + " and " + LabConfig.nodeName(peer) + ".\n# " + LabConfig.nodeName(peer) + "'s "
                + LabConfig.nodeName(self) + "." + tunnel + ".key holds the same two SAs with in and out swapped.\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] spiIn = ("spi-in   0x" + String.format("%08x", in.spi()) + "\nkey-in   0x")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] spiOut = ("\nspi-out  0x" + String.format("%08x", out.spi()) + "\nkey-out  0x")
                .getBytes(StandardCharsets.US_ASCII);
        int hex = 2 * MATERIAL_BYTES;
        byte[] text = new byte[head.length + spiIn.length + hex + spiOut.length + hex + 1];
        int at = 0;
        at = put(text, at, head);
        at = put(text, at, spiIn);
        at = hex(text, at, in.material());
        at = put(text, at, spiOut);
        at = hex(text, at, out.material());
        text[at] = '\n';
        return text;
    }

    private static int put(byte[] dst, int at, byte[] src) {
        System.arraycopy(src, 0, dst, at, src.length);
        return at + src.length;
    }

    private static int hex(byte[] dst, int at, byte[] bytes) {
        for (byte b : bytes) {
            dst[at++] = HEX[(b >> 4) & 0xf];
            dst[at++] = HEX[b & 0xf];
        }
        return at;
    }
}
