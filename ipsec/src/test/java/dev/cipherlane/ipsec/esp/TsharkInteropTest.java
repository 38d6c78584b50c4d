package dev.cipherlane.ipsec.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.Hex;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What esp-encrypt sends, dissected by tshark with the SA in its {@code esp_sa} table: tshark
 * must verify each ICV and find the inner IPv4 packet we sent, addresses, UDP ports and payload,
 * behind the right SPI, sequence number, next header and padding. (tshark 4.0 has no ESN in
 * its SA table, so ESN is left to the scapy test.) The engine is {@code auto}, as on a node.
 */
@Tag("interop")
class TsharkInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsTshark() {
        assumeTrue(InteropTools.tsharkAvailable(), "no tshark");
    }

    @ParameterizedTest(name = "udp={0}")
    @ValueSource(booleans = {false, true})
    void tsharkDecryptsWhatEspEncryptSends(boolean udp) throws IOException {
        EspLoop loop = new EspLoop(AeadEngines.DEFAULT, false, udp ? UdpEncapsulation.NAT_T : UdpEncapsulation.NONE);
        int[] sizes = {28, 29, 30, 31, 100, 555, 1400};
        List<byte[]> inner = new ArrayList<>();
        List<byte[]> esp;
        try (StageHarness h = loop.encryptHarness()) {
            for (int size : sizes) {
                byte[] in = EspPackets.inner(4, size, size);
                inner.add(in);
                h.run(EspEncrypt.NAME, loop.outgoing(h, EspPackets.ipip(in, 4)));
            }
            esp = h.capturedBytes("esp-encrypt.rewrite");
        }
        Path pcap = dir.resolve("esp.pcap");
        InteropTools.writePcap(pcap, esp);
        String sa = String.format("\"IPv4\",\"192.168.50.1\",\"192.168.50.2\",\"0x%08x\","
                + "\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x%s\",\"NULL\",\"\"",
                EspLoop.SPI, Hex.of(EspLoop.keyMaterial(EspLoop.SPI)));
        List<String> lines = InteropTools.run(List.of(InteropTools.TSHARK.toString(), "-n", "-r", pcap.toString(),
                "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
                "-o", "uat:esp_sa:" + sa,
                "-T", "fields", "-E", "separator=|",
                "-e", "esp.spi", "-e", "esp.sequence", "-e", "esp.icv_good", "-e", "esp.protocol",
                "-e", "esp.pad_len", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport",
                "-e", "data.data"), "");
        List<String> records = lines.stream().filter(l -> l.startsWith("0x")).toList();
        assertEquals(sizes.length, records.size(), String.join("\n", lines));
        for (int i = 0; i < sizes.length; i++) {
            String[] f = records.get(i).split("\\|", -1);
            assertEquals(String.format("0x%08x", EspLoop.SPI), f[0]);
            assertEquals(String.valueOf(i + 1), f[1], "sequence number");
            assertEquals("1", f[2], "ICV verified by tshark");
            assertEquals("0x04", f[3], "next header IPIP");
            assertEquals(String.valueOf(-(sizes[i] + 2) & 3), f[4], "pad length");
            assertEquals("192.168.50.1,10.1.0.5", f[5], "outer then inner source");
            assertEquals("192.168.50.2,10.2.0.7", f[6]);
            String ports = udp ? "4500,40000" : "40000";
            assertEquals(ports, f[7]);
            assertEquals(udp ? "4500,443" : "443", f[8]);
            byte[] payload = Arrays.copyOfRange(inner.get(i), 28, sizes[i]);
            assertEquals(Hex.of(payload), f[9], "inner UDP payload, decrypted by tshark");
        }
        Files.deleteIfExists(pcap);
    }
}
