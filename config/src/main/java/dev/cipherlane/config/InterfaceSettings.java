package dev.cipherlane.config;

import dev.cipherlane.net.InterfaceAddress;
import dev.cipherlane.net.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An interface the node configures. Identified by name: a config holds one entry per
 * name, and a reload compares interfaces name by name.
 *
 * @param name      Linux interface name
 * @param mac       unicast MAC address to set, or keep the one the interface has
 * @param addresses addresses with their subnets' prefix lengths, distinct
 */
public record InterfaceSettings(String name, Optional<MacAddress> mac, List<InterfaceAddress> addresses) {

    /** IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_NAME_BYTES = 15;

    public InterfaceSettings {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("bad interface name " + name);
        }
        Objects.requireNonNull(mac, "mac");
        mac.ifPresent(address -> {
            if (address.isMulticast()) {
                throw new IllegalArgumentException("interface " + name + ": multicast MAC " + address);
            }
        });
        addresses = List.copyOf(addresses);
        if (new HashSet<>(addresses).size() != addresses.size()) {
            throw new IllegalArgumentException("interface " + name + " repeats an address");
        }
    }

    /** The kernel's dev_valid_name(): what it refuses, refuse here before it does. */
    public static boolean isValidName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES || name.equals(".") || name.equals("..")) {
            return false;
        }
        return name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0);
    }
}
