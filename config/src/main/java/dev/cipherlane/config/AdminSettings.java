package dev.cipherlane.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * @param socket        admin.socket, the unix socket of the admin API
 * @param metricsListen admin.metrics.listen, where /metrics is served; empty when off
 */
public record AdminSettings(Path socket, Optional<MetricsListen> metricsListen) {

    /** sizeof(sockaddr_un.sun_path) is 108 on Linux, one byte of which ends the string. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    public AdminSettings {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(metricsListen, "metricsListen");
        if (!isValidSocketPath(socket.toString())) {
            throw new IllegalArgumentException("admin socket " + socket + " is not an absolute path of at most "
                    + MAX_SOCKET_PATH_BYTES + " bytes");
        }
    }

    /** The admin socket alone, with the metrics endpoint off (its default). */
    public AdminSettings(Path socket) {
        this(socket, Optional.empty());
    }

    /**
     * Absolute, because the service's working directory is nobody's business; short enough
     * for bind(2).
     */
    public static boolean isValidSocketPath(String path) {
        return path.startsWith("/") && path.length() > 1
                && path.getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES
                && path.indexOf('\0') < 0;
    }
}
