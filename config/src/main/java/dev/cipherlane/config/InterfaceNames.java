package dev.cipherlane.config;

import java.nio.charset.StandardCharsets;

/** Linux interface names as the settings take them (the uplink, the host tap, the pods' interface). */
public final class InterfaceNames {
    /** IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_NAME_BYTES = 15;

    private InterfaceNames() {}

    /** The kernel's dev_valid_name(): what it refuses, refuse here before it does. */
    public static boolean isValidName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES || name.equals(".") || name.equals("..")) {
            return false;
        }
        return name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0);
    }
}
