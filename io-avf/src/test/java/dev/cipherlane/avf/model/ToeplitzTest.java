package dev.cipherlane.avf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verification suite of Microsoft's RSS specification: its key, addresses and hashes. */
class ToeplitzTest {
    private static final byte[] KEY = HexFormat.of().parseHex(
            "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    @ParameterizedTest
    @CsvSource({
        "66.9.149.187, 2794, 161.142.100.80, 1766, 323e8fc2, 51ccc178",
        "199.92.111.2, 14230, 65.69.140.83, 4739, d718262a, c626b0ea",
        "24.19.198.95, 12898, 12.22.207.184, 38024, d2d0a5de, 5c2b394a",
        "38.27.205.30, 48228, 209.142.163.6, 2217, 82989176, afc7327f",
        "153.39.163.191, 44251, 202.188.127.2, 1303, 5d1809c5, 10e828a2",
    })
    void ipv4Vectors(String src, int srcPort, String dst, int dstPort, String ipHash, String tcpHash) {
        Toeplitz t = new Toeplitz(KEY);
        byte[] input = new byte[12];
        put(input, 0, src);
        put(input, 4, dst);
        input[8] = (byte) (srcPort >>> 8);
        input[9] = (byte) srcPort;
        input[10] = (byte) (dstPort >>> 8);
        input[11] = (byte) dstPort;
        assertEquals(Integer.parseUnsignedInt(ipHash, 16), t.hash(input, 8), "addresses only");
        assertEquals(Integer.parseUnsignedInt(tcpHash, 16), t.hash(input, 12), "addresses and ports");
    }

    private static void put(byte[] b, int at, String dotted) {
        String[] p = dotted.split("\\.");
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) Integer.parseInt(p[i]);
        }
    }
}
