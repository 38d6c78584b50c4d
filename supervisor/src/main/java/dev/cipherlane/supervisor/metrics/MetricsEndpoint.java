package dev.cipherlane.supervisor.metrics;

import dev.cipherlane.config.MetricsListen;
import dev.cipherlane.supervisor.admin.DataplaneView;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * GET /metrics on admin.metrics.listen, in the Prometheus text exposition format
 * (prometheus.io/docs/instrumenting/exposition_formats), served by the client library's HTTP
 * server on its own threads, never an actor's. The registry is ours alone, not the library's
 * default one, so nothing else in the process can add to or take from what the node exports.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HTTPServer server;
    private final InetAddress address;

    private MetricsEndpoint(HTTPServer server, InetAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound (in use, not ours)
     */
    public static MetricsEndpoint start(MetricsListen listen, AtomicReference<DataplaneView> dataplane)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new DataplaneCollector(dataplane));
        // From the address's bytes: a literal never goes to DNS.
        InetAddress address = InetAddress.getByAddress(listen.address().toBytes());
        HTTPServer server = HTTPServer.builder().inetAddress(address).port(listen.port()).registry(registry)
                .buildAndStart();
        return new MetricsEndpoint(server, address);
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return new InetSocketAddress(address, server.getPort());
    }

    @Override
    public void close() {
        server.close();
    }
}
