package dev.cipherlane.supervisor.admin;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code pod add} and {@code pod del}, what a CNI plugin asks of the node (PROTOCOL.md):
 *
 * <pre>
 * pod add &lt;name&gt; netns &lt;namespace&gt; address &lt;ip&gt; [address &lt;ip&gt;] [mac &lt;mac&gt;] [queues &lt;n&gt;] [mtu &lt;n&gt;]
 * pod del &lt;name&gt;
 * </pre>
 *
 * Parsed here for its shape only; what a pod may be (its name, namespace, addresses, bounds)
 * is checked where the pod is made, by the same rules as a pod in the config file.
 */
public sealed interface PodRequest {
    String USAGE_ADD = "pod add <name> netns <namespace> address <ip> [address <ip>] [mac <mac>] [queues <n>] [mtu <n>]";
    String USAGE_DEL = "pod del <name>";

    /** The pod's name, as the config file's pods[].name. */
    String name();

    /** Attach a pod; what it leaves out comes from the config's pod-network. */
    record Add(String name, String netns, List<IpAddress> addresses, Optional<MacAddress> mac, OptionalInt queues,
            OptionalInt mtu) implements PodRequest {
        public Add {
            addresses = List.copyOf(addresses);
        }
    }

    /** Detach a pod added through the API, and destroy its tap. */
    record Delete(String name) implements PodRequest {}

    /** Whether {@code command} (the request's words) is a pod command. */
    static boolean isPodCommand(String command) {
        return command.equals("pod") || command.startsWith("pod ");
    }

    /** @throws IllegalArgumentException with a message for the client */
    static PodRequest parse(String command) {
        String[] w = command.split(" ");
        if (w.length >= 2 && w[1].equals("del")) {
            if (w.length != 3) {
                throw new IllegalArgumentException("expected " + USAGE_DEL);
            }
            return new Delete(w[2]);
        }
        if (w.length < 3 || !w[1].equals("add")) {
            throw new IllegalArgumentException("expected " + USAGE_ADD + ", or " + USAGE_DEL);
        }
        String netns = null;
        List<IpAddress> addresses = new ArrayList<>();
        Optional<MacAddress> mac = Optional.empty();
        OptionalInt queues = OptionalInt.empty();
        OptionalInt mtu = OptionalInt.empty();
        for (int i = 3; i < w.length; i += 2) {
            String key = w[i];
            if (i + 1 >= w.length) {
                throw new IllegalArgumentException(key + " needs a value; expected " + USAGE_ADD);
            }
            String value = w[i + 1];
            switch (key) {
                case "netns" -> {
                    if (netns != null) {
                        throw new IllegalArgumentException("netns given twice");
                    }
                    netns = value;
                }
                case "address" -> addresses.add(address(value));
                case "mac" -> mac = Optional.of(mac(value));
                case "queues" -> queues = OptionalInt.of(number("queues", value));
                case "mtu" -> mtu = OptionalInt.of(number("mtu", value));
                default -> throw new IllegalArgumentException("unknown pod setting " + key + "; expected " + USAGE_ADD);
            }
        }
        if (netns == null || addresses.isEmpty()) {
            throw new IllegalArgumentException("a pod needs a netns and an address; expected " + USAGE_ADD);
        }
        return new Add(w[2], netns, addresses, mac, queues, mtu);
    }

    private static IpAddress address(String text) {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address " + text + " is not an IPv4 or IPv6 address");
        }
    }

    private static MacAddress mac(String text) {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mac " + text + " is not a MAC address (six hex octets)");
        }
    }

    private static int number(String key, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " " + text + " is not a number");
        }
    }
}
