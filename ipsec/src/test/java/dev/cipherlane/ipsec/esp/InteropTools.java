package dev.cipherlane.ipsec.esp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent implementations the interop tests check against: Debian's scapy (importable
 * from /usr/bin/python3 only) through the script {@code esp_interop.py} in test resources, and
 * tshark.
 */
final class InteropTools {
    private InteropTools() {}

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path TSHARK = Path.of("/usr/bin/tshark");

    /** Whether /usr/bin/python3 has scapy with the AES-GCM it needs (python3-cryptography). */
    static boolean scapyAvailable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c",
                    "import scapy.layers.ipsec; from cryptography.hazmat.primitives.ciphers import aead")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean tsharkAvailable() {
        return Files.isExecutable(TSHARK);
    }

    static Path script() {
        try {
            return Path.of(InteropTools.class.getResource("/esp_interop.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code command}, feeds it {@code input}, returns its stdout lines; fails on a non-zero exit. */
    static List<String> run(List<String> command, String input) {
        try {
            Path err = Files.createTempFile("cipherlane-interop", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(input.getBytes(StandardCharsets.US_ASCII));
                }
                List<String> lines = new ArrayList<>();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.US_ASCII))) {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        lines.add(l);
                    }
                }
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command + " did not finish");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(command + " exited " + p.exitValue() + ": " + Files.readString(err));
                }
                return lines;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A pcap file (LINKTYPE_RAW: packets start at the IPv4 header) holding {@code packets}. */
    static void writePcap(Path file, List<byte[]> packets) {
        ByteBuffer b = ByteBuffer.allocate(24 + packets.stream().mapToInt(p -> 16 + p.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        int second = 1;
        for (byte[] p : packets) {
            b.putInt(second++).putInt(0).putInt(p.length).putInt(p.length).put(p);
        }
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
