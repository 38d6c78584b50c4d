package dev.cipherlane.supervisor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.MetricsListen;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.admin.FixedDataplane;
import dev.cipherlane.supervisor.admin.views.SampleViews;
import dev.cipherlane.testbed.PrometheusScrape;
import dev.cipherlane.testbed.PrometheusScrape.Sample;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * /metrics scraped over HTTP and read by the reference parser of the text format
 * (prometheus_client.parser): names, types, labels and values as the views hold them.
 */
class MetricsEndpointTest {

    private static MetricsListen freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return MetricsListen.parse("127.0.0.1:" + probe.getLocalPort());
        }
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        assertEquals(1, found.size(), name + " " + labels + " in " + samples);
        return found.getFirst().value();
    }

    @Test
    void exportsTheDataplanesCountersUnderPrometheusNames() throws Exception {
        MetricsListen listen = freeLoopbackPort();
        AtomicReference<DataplaneView> dataplane = new AtomicReference<>(new FixedDataplane(new SampleViews()));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(listen, dataplane)) {
            List<Sample> samples = PrometheusScrape.scrape("http://" + listen + "/metrics");
            assertEquals(1, value(samples, "cipherlane_dataplane_up", Map.of()));
            assertEquals(300, value(samples, "cipherlane_stage_packets_total", Map.of("stage", "ip4-lookup")));
            assertEquals(12, value(samples, "cipherlane_stage_vectors_total", Map.of("stage", "ip4-lookup")));
            assertEquals(10, value(samples, "cipherlane_stage_calls_total", Map.of("stage", "ip4-lookup")));
            // Base units: 2e9 ns are 2 s.
            assertEquals(2.0, value(samples, "cipherlane_stage_cpu_seconds_total", Map.of("stage", "esp-encrypt")));
            // A stage never called is a series from the start, at zero.
            assertEquals(0, value(samples, "cipherlane_stage_packets_total", Map.of("stage", "gro")));
            assertEquals(4, value(samples, "cipherlane_stage_errors_total",
                    Map.of("stage", "ip4-lookup", "reason", "no route")));
            assertEquals(2, value(samples, "cipherlane_stage_errors_total",
                    Map.of("stage", "ip4-lookup", "reason", "exception")));
            assertEquals(0, value(samples, "cipherlane_stage_errors_total", Map.of("stage", "esp-encrypt", "reason", "no sa")));
            assertEquals(140_000, value(samples, "cipherlane_tunnel_transmit_bytes_total",
                    Map.of("tunnel", "0", "peer", "node-b", "remote", "10.200.0.2")));
            assertEquals(90, value(samples, "cipherlane_tunnel_receive_packets_total", Map.of("tunnel", "0")));
            assertEquals(0, value(samples, "cipherlane_tunnel_underlay_resolved", Map.of("tunnel", "1")));
            assertEquals(100, value(samples, "cipherlane_sa_packets_total", Map.of("spi", "0x00001001", "direction", "out")));
            assertEquals(130_000, value(samples, "cipherlane_sa_bytes_total", Map.of("spi", "0x00002001", "direction", "in")));
            assertEquals(101, value(samples, "cipherlane_sa_next_sequence", Map.of("spi", "0x00001001")));
            assertEquals(1234, value(samples, "cipherlane_interface_kernel_receive_packets_total",
                    Map.of("interface", "wire0")));
            assertEquals(1400, value(samples, "cipherlane_interface_mtu_bytes", Map.of("interface", "n1p1", "role", "pod")));
            assertEquals(17, value(samples, "cipherlane_buffers_in_use", Map.of()));
            assertEquals(0, value(samples, "cipherlane_worker_up", Map.of("worker", "1")));
            assertEquals(2, value(samples, "cipherlane_worker_restarts_total", Map.of("worker", "1")));
            for (Sample s : samples) {
                assertTrue(s.family().startsWith("cipherlane_"), s.toString());
                // Counters end in _total (or are the parser's _created companions), gauges never do.
                assertEquals(s.type().equals("counter"), s.name().endsWith("_total") || s.name().endsWith("_created"),
                        s.toString());
            }
        }
    }

    @Test
    void aStoppedDataplaneIsDownNotAnError() throws Exception {
        MetricsListen listen = freeLoopbackPort();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(listen, new AtomicReference<>())) {
            List<Sample> samples = PrometheusScrape.scrape("http://" + listen + "/metrics");
            assertEquals(List.of("cipherlane_dataplane_up"), samples.stream().map(Sample::name).toList());
            assertEquals(0, samples.getFirst().value());
        }
    }

    @Test
    void closingFreesTheAddress() throws Exception {
        MetricsListen listen = freeLoopbackPort();
        MetricsEndpoint.start(listen, new AtomicReference<>()).close();
        // Bindable again: a node restarted in place gets its address back.
        MetricsEndpoint.start(listen, new AtomicReference<>()).close();
        try (MetricsEndpoint first = MetricsEndpoint.start(listen, new AtomicReference<>())) {
            assertThrows(IOException.class, () -> MetricsEndpoint.start(listen, new AtomicReference<>()));
        }
    }
}
