package dev.cipherlane.ipsec.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.Hex;
import dev.cipherlane.ipsec.sa.OutboundSequence;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * esp-encrypt and esp-decrypt against scapy's ESP (scapy.layers.ipsec, AES-GCM with the
 * 36-byte key and salt, transport mode over the IPIP outer header, optionally with a NAT-T UDP
 * header and ESN): what we seal scapy opens to the very IPIP packet we started from, and what
 * scapy seals (with random IVs) we open to the packet it started from. The engine is the one a
 * node would run, {@code auto}: ipsec-mb where it is installed, else the JDK.
 */
@Tag("interop")
class ScapyInteropTest {
    private static final int UDP_SOURCE = 4500;
    private static final int UDP_DESTINATION = 4500;

    @BeforeAll
    static void needsScapy() {
        assumeTrue(InteropTools.scapyAvailable(), "/usr/bin/python3 cannot import scapy with AES-GCM");
    }

    private static List<String> scapy(String mode, boolean udp, boolean esn, String input) {
        List<String> command = new ArrayList<>(List.of(InteropTools.PYTHON.toString(),
                InteropTools.script().toString(), mode, "--spi", "0x" + Integer.toHexString(EspLoop.SPI),
                "--keymat", Hex.of(EspLoop.keyMaterial(EspLoop.SPI))));
        if (udp) {
            command.add("--udp");
            command.add(UDP_SOURCE + "," + UDP_DESTINATION);
        }
        if (esn) {
            command.add("--esn");
        }
        return InteropTools.run(command, input);
    }

    /**
     * IPIP packets with IPv4 and IPv6 inside, 48 to 1500 inner bytes: real inner packets, which
     * scapy dissects after decrypting.
     */
    private static List<byte[]> packets() {
        List<byte[]> out = new ArrayList<>();
        for (int size = 48; size <= 1500; size += 37) {
            int version = size % 2 == 0 ? 6 : 4;
            out.add(EspPackets.ipip(EspPackets.inner(version, size, size), version == 4 ? 4 : 41));
        }
        out.add(EspPackets.ipip(EspPackets.inner(4, 1500, 99), 4));
        return out;
    }

    /** Where ESN is on, the numbers cross 2^32, so the high half matters. */
    private static long firstSequence(boolean esn) {
        return esn ? 0xFFFF_FFF0L : 1;
    }

    @ParameterizedTest(name = "udp={0} esn={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void scapyDecryptsWhatEspEncryptSends(boolean udp, boolean esn) {
        long first = firstSequence(esn);
        EspLoop loop = new EspLoop(AeadEngines.DEFAULT, esn, udp ? new UdpEncapsulation(UDP_SOURCE, UDP_DESTINATION)
                : UdpEncapsulation.NONE, 1024, new OutboundSequence(esn, first));
        List<byte[]> sent = packets();
        StringBuilder input = new StringBuilder();
        try (StageHarness h = loop.encryptHarness()) {
            for (byte[] p : sent) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, p));
            }
            List<byte[]> esp = h.capturedBytes("esp-encrypt.rewrite");
            assertEquals(sent.size(), esp.size());
            for (int i = 0; i < esp.size(); i++) {
                input.append(first + i).append(' ').append(Hex.of(esp.get(i))).append('\n');
            }
        }
        List<String> decrypted = scapy("decrypt", udp, esn, input.toString());
        assertEquals(sent.size(), decrypted.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(Hex.of(sent.get(i)), decrypted.get(i), "packet " + i);
        }
    }

    @ParameterizedTest(name = "udp={0} esn={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void espDecryptOpensWhatScapySends(boolean udp, boolean esn) {
        long first = firstSequence(esn);
        EspLoop loop = new EspLoop(AeadEngines.DEFAULT, esn, UdpEncapsulation.NONE);
        if (esn) {
            loop.table.state(loop.inbound).window().resumeAfter(first - 1);
        }
        List<byte[]> sent = packets();
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < sent.size(); i++) {
            input.append(first + i).append(' ').append(Hex.of(sent.get(i))).append('\n');
        }
        List<String> esp = scapy("encrypt", udp, esn, input.toString());
        assertEquals(sent.size(), esp.size());
        try (StageHarness h = loop.decryptHarness()) {
            for (String line : esp) {
                byte[] packet = Hex.bytes(line);
                assertEquals(udp ? 17 : 50, packet[9], line);
                h.run(EspDecrypt.NAME, h.packet(packet, 0));
            }
            List<byte[]> received = h.capturedBytes("esp-decrypt.ipip");
            assertEquals(sent.size(), received.size(), "integrity failures: "
                    + h.errors(EspDecrypt.NAME, "integrity check failed"));
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), received.get(i), "packet " + i);
            }
        }
    }
}
