package dev.cipherlane.supervisor;

import dev.cipherlane.config.AdminSettings;
import dev.cipherlane.config.MetricsListen;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.NodeSettings;
import java.nio.file.Path;
import java.util.Optional;

/** The default settings with the admin socket moved somewhere a test owns. */
public final class TestSettings {

    private TestSettings() {
    }

    public static NodeSettings withSocket(Path socket) {
        NodeSettings defaults = NodeConfigLoader.defaults();
        return new NodeSettings("test-node", new AdminSettings(socket), defaults.dataplane(), defaults.neighbour());
    }

    /** {@link #withSocket}, and /metrics on {@code metrics}. */
    public static NodeSettings withSocketAndMetrics(Path socket, MetricsListen metrics) {
        NodeSettings defaults = NodeConfigLoader.defaults();
        return new NodeSettings("test-node", new AdminSettings(socket, Optional.of(metrics)), defaults.dataplane(),
                defaults.neighbour());
    }
}
