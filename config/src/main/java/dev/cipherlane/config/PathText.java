package dev.cipherlane.config;

import java.nio.charset.StandardCharsets;

/** Paths as the service takes them from a config file. */
final class PathText {

    /** PATH_MAX is 4096 including the terminating NUL. */
    static final int MAX_PATH_BYTES = 4095;

    private PathText() {
    }

    /**
     * Absolute, because the service's working directory is nobody's business, and without
     * '.' or '..' segments, so one file has one spelling and two settings naming it can be
     * compared as text. The root directory alone names nothing a setting could want.
     */
    static boolean isAbsolute(String path) {
        if (!path.startsWith("/") || path.length() < 2 || path.indexOf('\0') >= 0
                || path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
