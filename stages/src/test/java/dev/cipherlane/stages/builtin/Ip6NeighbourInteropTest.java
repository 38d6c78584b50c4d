package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.testing.StageHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An independent implementation on both ends: scapy (Debian's python3-scapy) builds the
 * solicitations, {@code ip6-nd-input} answers them, and scapy dissects our advertisements
 * and solicitations and recomputes their checksums.
 */
@Tag("interop")
class Ip6NeighbourInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final HexFormat HEX = HexFormat.of();

    /** Prints, one hex frame a line: a solicitation for 2001:db8:1::1 and a DAD probe for fe80::1. */
    private static final String BUILD = """
            from scapy.all import Ether, IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr
            host = '52:54:00:aa:bb:02'
            ns = (Ether(dst='33:33:ff:00:00:01', src=host)
                  / IPv6(src='2001:db8:1::2', dst='ff02::1:ff00:1', hlim=255)
                  / ICMPv6ND_NS(tgt='2001:db8:1::1') / ICMPv6NDOptSrcLLAddr(lladdr=host))
            dad = (Ether(dst='33:33:ff:00:00:01', src=host)
                   / IPv6(src='::', dst='ff02::1:ff00:1', hlim=255) / ICMPv6ND_NS(tgt='fe80::1'))
            print(bytes(ns).hex())
            print(bytes(dad).hex())
            """;

    /**
     * Reads hex frames on stdin and prints, per frame, what scapy sees and whether the
     * checksum it computes itself equals the one in the frame.
     */
    private static final String DISSECT = """
            import sys
            from scapy.all import Ether, IPv6, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr
            for line in sys.stdin.read().split():
                p = Ether(bytes.fromhex(line))
                ip = p[IPv6]
                if ICMPv6ND_NA in p:
                    m, opt = p[ICMPv6ND_NA], p[ICMPv6NDOptDstLLAddr]
                    what = 'na R=%d S=%d O=%d' % (m.R, m.S, m.O)
                else:
                    m, opt = p[ICMPv6ND_NS], p[ICMPv6NDOptSrcLLAddr]
                    what = 'ns'
                given = m.cksum
                m.cksum = None
                again = Ether(bytes(p))
                ok = again[type(m)].cksum == given
                print(what, p.dst, p.src, ip.src, ip.dst, ip.hlim, m.tgt, opt.lladdr, 'checksum-ok' if ok else 'checksum-bad')
            """;

    @BeforeAll
    static void scapyIsThere() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        assumeTrue(python("import scapy.all", "").exit == 0, "scapy is not importable from " + PYTHON);
    }

    private record Run(int exit, String out, String err) {}

    private static Run python(String script, String input) throws IOException, InterruptedException {
        Path err = Files.createTempFile("scapy", ".err");
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", script).redirectError(err.toFile()).start();
            p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("python did not finish");
            }
            return new Run(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static List<String> lines(Run run) {
        assertEquals(0, run.exit(), run.err());
        return run.out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void scapySolicitationsAreAnsweredWithAdvertisementsScapyAccepts() throws Exception {
        List<String> solicitations = lines(python(BUILD, ""));
        assertEquals(2, solicitations.size());
        InterfaceTable interfaces = NeighbourDiscoveryTestPackets.interfaces();
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        List<String> replies = new ArrayList<>();
        try (StageHarness h = new StageHarness(new EthernetInput(new EthernetInput.Params(interfaces)),
                new Ip6Input(), new Ip6NeighbourInput(new Ip6NeighbourInput.Params(interfaces, neighbours)))
                .connect(EthernetInput.NAME, "ip6", Ip6Input.NAME)
                .connect(Ip6Input.NAME, "lookup", Ip6NeighbourInput.NAME)) {
            for (String hex : solicitations) {
                h.run(EthernetInput.NAME, h.packet(HEX.parseHex(hex), IF0));
            }
            for (byte[] reply : h.capturedBytes(Ip6NeighbourInput.NAME + ".reply")) {
                replies.add(HEX.formatHex(reply));
            }
        }
        assertEquals(2, replies.size());
        List<String> seen = lines(python(DISSECT, String.join("\n", replies)));
        assertEquals(List.of(
                "na R=1 S=1 O=1 52:54:00:aa:bb:02 02:00:00:00:00:01 2001:db8:1::1 2001:db8:1::2 255 2001:db8:1::1"
                        + " 02:00:00:00:00:01 checksum-ok",
                "na R=1 S=0 O=1 33:33:00:00:00:01 02:00:00:00:00:01 fe80::1 ff02::1 255 fe80::1"
                        + " 02:00:00:00:00:01 checksum-ok"), seen);
        assertEquals(0x5254_00aa_bb02L, neighbours.lookup6(IF0, hi(addr("2001:db8:1::2")), lo(addr("2001:db8:1::2"))));
    }

    @Test
    void scapyAcceptsOurSolicitations() throws Exception {
        NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
        Ip6NeighbourRequester requester = new Ip6NeighbourRequester(neighbours, Ip6NeighbourRequester.INTERVAL_DEFAULT);
        byte[] target = addr("2001:db8:1::abcd");
        String frame;
        try (StageHarness h = new StageHarness()) {
            int bi = requester.request(h.buffers(), NeighbourDiscoveryTestPackets.interfaces().get(IF0), hi(target),
                    lo(target), 0);
            assertTrue(bi >= 0);
            frame = HEX.formatHex(h.memory().read(bi));
            h.buffers().free(bi);
        }
        List<String> seen = lines(python(DISSECT, frame));
        assertEquals(List.of("ns 33:33:ff:00:ab:cd 02:00:00:00:00:01 2001:db8:1::1 ff02::1:ff00:abcd 255"
                + " 2001:db8:1::abcd 02:00:00:00:00:01 checksum-ok"), seen);
    }
}
