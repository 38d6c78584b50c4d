package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lab reads the node's tables back; the samples are laid out as RuntimeReport prints them. */
class NodeViewsTest {
    private static final String RUNTIME = """
            Stage                           Calls      Vectors        Packets   Pkts/Vec     ns/Pkt
            tap-input-n1p1-q0                 100           40            300        7.5      120.0
            tap-input-n1p2-q0                  10            5             20        4.0      100.0
            ethernet-input                     45           45            320        7.1       20.0
            ip4-lookup                         45           45            320        7.1       25.0
            drop                                1            1              2        2.0       10.0
            """;
    private static final String ERRORS = """
                     Count  Stage                    Reason
                         3  ip4-input                ip4 header checksum wrong
                        12  tap-input-n1p1-q0        gso super-packets received
            """;

    @Test
    void runtimeRowsAndFamilies() {
        assertEquals(new NodeViews.StageRow(100, 40, 300), NodeViews.runtime(RUNTIME).get("tap-input-n1p1-q0"));
        Map<String, NodeViews.StageRow> families = NodeViews.runtimeByFamily(RUNTIME);
        assertEquals(List.of("tap-input", "ethernet-input", "ip4-lookup", "drop"), List.copyOf(families.keySet()));
        assertEquals(new NodeViews.StageRow(110, 45, 320), families.get("tap-input"));
        assertEquals(320, NodeViews.packets(RUNTIME, "ip4-lookup"));
        assertEquals(0, NodeViews.packets(RUNTIME, "ip6-lookup"));
    }

    @Test
    void errorsWithReasonsOfSeveralWords() {
        Map<String, Long> errors = NodeViews.errors(ERRORS);
        assertEquals(2, errors.size());
        assertEquals(3, NodeViews.error(ERRORS, "ip4-input", "ip4 header checksum wrong"));
        assertEquals(12, NodeViews.error(ERRORS, "tap-input-n1p1-q0", "gso super-packets received"));
        assertEquals(0, NodeViews.error(ERRORS, "ip4-input", "ip4 ttl expired"));
        String esp = """
                     Count  Stage                    Reason
                         2  esp-decrypt-check        replay
                         5  esp-decrypt-finish       replay
                         1  esp-decrypt-finish       integrity check failed
                """;
        assertEquals(7, NodeViews.reasonTotal(esp, "replay"));
        assertEquals(1, NodeViews.reasonTotal(esp, "integrity check failed"));
        assertEquals(0, NodeViews.reasonTotal(esp, "unknown spi"));
    }

    @Test
    void tunnelRowsWithTheirEndsAndCounters() {
        String tunnels = """
                Index Peer             Local           Remote          Underlay     Tx packets       Tx bytes   Rx packets       Rx bytes
                0     n2/0             10.200.0.1      10.200.0.2      resolved              0              0            0              0
                3     n2/3             10.200.3.1      10.200.3.2      arp                   6            624            4            416
                """;
        List<NodeViews.TunnelRow> rows = NodeViews.tunnels(tunnels);
        assertEquals(List.of(new NodeViews.TunnelRow(0, "10.200.0.1", "10.200.0.2", 0, 0, 0, 0),
                new NodeViews.TunnelRow(3, "10.200.3.1", "10.200.3.2", 6, 624, 4, 416)), rows);
        assertEquals(List.of(), NodeViews.tunnels("no tunnels\n"));
    }

    @Test
    void saRowsWithTheirDirectionCountersAndNextSequence() {
        String sa = """
                Crypto engine: ipsec-mb 1.3.0 (avx512, VAES) (auto: ipsec-mb loaded and passed its self-test)
                Index Dir      SPI        Tunnel      Packets          Bytes Next sequence
                0     in       0x8f3a0001 0             1200        1680000\s
                1     out      0xfffffff0 0              900          81000 1048577
                """;
        assertEquals(List.of(new NodeViews.SaRow(0, false, 0x8f3a0001, 0, 1200, 1680000, -1),
                new NodeViews.SaRow(1, true, 0xfffffff0, 0, 900, 81000, 1048577)), NodeViews.sas(sa));
        assertEquals(List.of(), NodeViews.sas("ipsec is off\n"));
    }

    @Test
    void familyIsTheFirstTwoWords() {
        assertEquals("drop", NodeViews.family("drop"));
        assertEquals("ip4-rewrite", NodeViews.family("ip4-rewrite"));
        assertEquals("afpacket-input", NodeViews.family("afpacket-input-wire0-q1"));
    }
}
