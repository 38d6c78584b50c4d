package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Ping;
import dev.cipherlane.testbed.PrometheusScrape;
import dev.cipherlane.testbed.PrometheusScrape.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, the operator API on a working node: two nodes with ESP on four tunnels stream
 * byte-checked TCP both ways; then node 1's /metrics, scraped inside its namespace and read
 * by the reference text-format parser, has its stage, error, interface, tunnel and SA counters
 * and they moved; and every {@code cipherlane ctl show ... --json} parses and says what the
 * traffic did. Malformed requests in between leave the streams intact.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OperatorApiTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 16 * MIB;
    private static final List<String> VIEWS = List.of("interfaces", "runtime", "errors", "fib", "tunnels", "sa",
            "neighbours", "pods", "trace", "config", "health");

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void metricsAndJsonViewsOfTwoNodesStreamingOverEsp() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1))) {
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            Ping.firstReply(a.netns(), b.ip4(), 5);
            LabNode n1 = t.lab().node(1);
            List<CheckedStream> streams = new ArrayList<>();
            streams.add(t.closeLater(CheckedStream.between("n1-to-n2", a, b, b.address4(), 7501, STREAM_BYTES, 0,
                    Duration.ofSeconds(60))));
            streams.add(t.closeLater(CheckedStream.between("n2-to-n1", b, a, a.address4(), 7502, STREAM_BYTES, 0,
                    Duration.ofSeconds(60))));
            streams.forEach(CheckedStream::start);
            // Garbage while the streams run: each gets its one-line error, the traffic nothing.
            for (String bad : List.of("", "v9 show tunnels", "show tunnels now", "\u0001\u0002", "x".repeat(5000),
                    "show fib --verbose")) {
                String reply = n1.admin(bad);
                assertTrue(reply.startsWith("error: ") && reply.indexOf('\n') == reply.length() - 1, reply);
            }
            for (CheckedStream s : streams) {
                CheckedStream.Result r = s.await(Duration.ofMinutes(2));
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }

            List<Sample> samples = PrometheusScrape.scrapeIn(n1.netns(), n1.metricsUrl());
            assertNonZero(samples, "cipherlane_dataplane_up", s -> true);
            assertNonZero(samples, "cipherlane_stage_packets_total", s -> s.labels().get("stage").startsWith("esp-encrypt"));
            assertNonZero(samples, "cipherlane_stage_packets_total", s -> s.labels().get("stage").startsWith("esp-decrypt"));
            assertNonZero(samples, "cipherlane_stage_vectors_total", s -> s.labels().get("stage").equals("ip4-lookup"));
            assertNonZero(samples, "cipherlane_stage_calls_total", s -> s.labels().get("stage").equals("ip4-lookup"));
            assertNonZero(samples, "cipherlane_stage_cpu_seconds_total", s -> s.labels().get("stage").equals("ip4-lookup"));
            assertNonZero(samples, "cipherlane_tunnel_transmit_bytes_total", s -> s.labels().get("peer").equals("n2"));
            assertNonZero(samples, "cipherlane_tunnel_receive_packets_total", s -> s.labels().get("peer").equals("n2"));
            assertNonZero(samples, "cipherlane_sa_packets_total", s -> s.labels().get("direction").equals("out"));
            assertNonZero(samples, "cipherlane_sa_bytes_total", s -> s.labels().get("direction").equals("in"));
            assertNonZero(samples, "cipherlane_interface_kernel_receive_packets_total",
                    s -> s.labels().get("interface").equals(LabNode.WIRE));
            // Error series exist for every stage and reason, the runtime's "exception" too, at zero here.
            assertTrue(samples.stream().anyMatch(s -> s.name().equals("cipherlane_stage_errors_total")
                    && s.labels().get("reason").equals("exception") && s.labels().get("stage").equals("esp-encrypt")),
                    () -> "no exception series for esp-encrypt in " + samples.size() + " samples");

            for (String view : VIEWS) {
                LabNode.CtlResult r = n1.ctl("show", view, "--json");
                assertEquals(0, r.exit(), () -> "show " + view + " --json: " + r);
                assertEquals("", r.err(), view);
                JsonNode v = json.readTree(r.out());
                assertTrue(v.isObject() && !v.isEmpty(), view + ": " + r.out());
            }
            JsonNode tunnels = json.readTree(n1.ctl("show", "tunnels", "--json").out()).get("tunnels");
            assertEquals(4, tunnels.size(), tunnels::toString);
            long tx = 0;
            for (JsonNode tunnel : tunnels) {
                assertEquals("n2", tunnel.get("peer").asText());
                tx += tunnel.get("txBytes").asLong();
            }
            assertTrue(tx > STREAM_BYTES, "tunnels carried the stream: " + tunnels);
            JsonNode sa = json.readTree(n1.ctl("show", "sa", "--json").out());
            assertTrue(sa.get("ipsec").asBoolean() && sa.get("sas").size() == 8, sa::toString);
            JsonNode fib = json.readTree(n1.ctl("show", "fib", "--json").out()).get("routes");
            JsonNode peerRoute = null;
            for (JsonNode route : fib) {
                if (route.get("prefix").asText().equals(AddressPlan.podCidr4(2))) {
                    peerRoute = route;
                }
            }
            assertTrue(peerRoute != null && peerRoute.get("paths").size() == 4, fib::toString);
            assertEquals("tunnel", peerRoute.get("paths").get(0).get("kind").asText());
            JsonNode pods = json.readTree(n1.ctl("show", "pods", "--json").out()).get("pods");
            assertEquals(a.ip4(), pods.get(0).get("ip4").asText());
            assertEquals("ok", json.readTree(n1.ctl("show", "health", "--json").out()).get("status").asText());
            LabNode.CtlResult bad = n1.ctl("show", "tunnels", "now");
            assertEquals(1, bad.exit());
            assertTrue(bad.err().startsWith("cipherlane: show tunnels takes no arguments"), bad::toString);
            assertEquals(List.of(), n1.logErrors(), n1::log);
        }
    }

    private static void assertNonZero(List<Sample> samples, String name, Predicate<Sample> which) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && which.test(s)).toList();
        assertTrue(!found.isEmpty(), () -> "no " + name + " among " + samples.stream().map(Sample::name).distinct()
                .toList());
        assertTrue(found.stream().mapToDouble(Sample::value).sum() > 0, () -> name + " stayed zero: " + found);
    }
}
