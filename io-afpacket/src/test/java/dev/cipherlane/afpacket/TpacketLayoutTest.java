package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offsets and constants in {@link Tpacket} against the kernel headers: a C program
 * prints {@code offsetof}/{@code sizeof} and the macros, compiled by gcc when there is one.
 */
class TpacketLayoutTest {
    private static final String PROGRAM = """
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <linux/if_packet.h>
            #include <linux/if_ether.h>
            #define O(name, t, f) printf("%s %zu\\n", name, offsetof(struct t, f))
            #define S(name, t) printf("%s %zu\\n", name, sizeof(struct t))
            #define C(name) printf("%s %ld\\n", #name, (long) (name))
            int main(void) {
                O("BLOCK_STATUS", tpacket_block_desc, hdr.bh1.block_status);
                O("BLOCK_NUM_PKTS", tpacket_block_desc, hdr.bh1.num_pkts);
                O("BLOCK_OFFSET_TO_FIRST", tpacket_block_desc, hdr.bh1.offset_to_first_pkt);
                O("BLOCK_LEN", tpacket_block_desc, hdr.bh1.blk_len);
                O("BLOCK_SEQ_NUM", tpacket_block_desc, hdr.bh1.seq_num);
                S("BLOCK_DESC_SIZE", tpacket_block_desc);
                O("H3_NEXT_OFFSET", tpacket3_hdr, tp_next_offset);
                O("H3_SEC", tpacket3_hdr, tp_sec);
                O("H3_NSEC", tpacket3_hdr, tp_nsec);
                O("H3_SNAPLEN", tpacket3_hdr, tp_snaplen);
                O("H3_LEN", tpacket3_hdr, tp_len);
                O("H3_STATUS", tpacket3_hdr, tp_status);
                O("H3_MAC", tpacket3_hdr, tp_mac);
                O("H3_NET", tpacket3_hdr, tp_net);
                O("H3_RXHASH", tpacket3_hdr, hv1.tp_rxhash);
                O("H3_VLAN_TCI", tpacket3_hdr, hv1.tp_vlan_tci);
                O("H3_VLAN_TPID", tpacket3_hdr, hv1.tp_vlan_tpid);
                S("H3_SIZE", tpacket3_hdr);
                printf("H3_SLL %zu\\n", (size_t) TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
                printf("TX_DATA_OFFSET %zu\\n", (size_t) (TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)));
                O("REQ3_BLOCK_SIZE", tpacket_req3, tp_block_size);
                O("REQ3_BLOCK_NR", tpacket_req3, tp_block_nr);
                O("REQ3_FRAME_SIZE", tpacket_req3, tp_frame_size);
                O("REQ3_FRAME_NR", tpacket_req3, tp_frame_nr);
                O("REQ3_RETIRE_BLK_TOV", tpacket_req3, tp_retire_blk_tov);
                O("REQ3_SIZEOF_PRIV", tpacket_req3, tp_sizeof_priv);
                O("REQ3_FEATURE_REQ_WORD", tpacket_req3, tp_feature_req_word);
                S("REQ3_SIZE", tpacket_req3);
                O("STATS_PACKETS", tpacket_stats_v3, tp_packets);
                O("STATS_DROPS", tpacket_stats_v3, tp_drops);
                O("STATS_FREEZE_Q_CNT", tpacket_stats_v3, tp_freeze_q_cnt);
                S("STATS_SIZE", tpacket_stats_v3);
                O("SLL_FAMILY", sockaddr_ll, sll_family);
                O("SLL_PROTOCOL", sockaddr_ll, sll_protocol);
                O("SLL_IFINDEX", sockaddr_ll, sll_ifindex);
                O("SLL_PKTTYPE", sockaddr_ll, sll_pkttype);
                S("SLL_SIZE", sockaddr_ll);
                C(SOL_PACKET); C(ETH_P_ALL);
                C(PACKET_RX_RING); C(PACKET_STATISTICS); C(PACKET_VERSION); C(PACKET_TX_RING);
                C(PACKET_LOSS); C(PACKET_OUTGOING); C(PACKET_VNET_HDR); C(PACKET_FANOUT); C(PACKET_QDISC_BYPASS); C(PACKET_IGNORE_OUTGOING);
                C(TPACKET_V3); C(PACKET_FANOUT_HASH);
                C(TP_STATUS_KERNEL); C(TP_STATUS_USER); C(TP_STATUS_VLAN_VALID); C(TP_STATUS_VLAN_TPID_VALID);
                C(TP_STATUS_AVAILABLE); C(TP_STATUS_SEND_REQUEST);
                return 0;
            }
            """;

    @Test
    void constantsMatchTheKernelHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(run(dir, "gcc", "--version") != null, "needs gcc");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, PROGRAM);
        Path binary = dir.resolve("layout");
        String compiled = run(dir, "gcc", "-o", binary.toString(), source.toString());
        assumeTrue(compiled != null, "needs the linux uapi headers");
        String out = run(dir, binary.toString());
        Map<String, Long> c = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        var fields = Tpacket.class.getDeclaredFields();
        assertEquals(fields.length, c.size(), "one C value per constant: " + c.keySet());
        for (var f : fields) {
            assertEquals(c.get(f.getName()), Long.valueOf(f.getInt(null)), f.getName());
        }
    }

    /** Output of {@code cmd}, or null when it cannot be run or fails. */
    private static String run(Path dir, String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
