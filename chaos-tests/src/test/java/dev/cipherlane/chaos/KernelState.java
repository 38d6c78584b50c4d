package dev.cipherlane.chaos;

import com.typesafe.config.Config;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.IpJson;
import dev.cipherlane.testbed.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel of a namespace holds for its interfaces, addresses and routes, as
 * {@code ip -j addr show}, {@code ip -j route show} and {@code ip -j -6 route show} print it,
 * reduced to the fields that say how the network is set up (not counters, lifetimes or
 * DAD progress) and sorted, so two snapshots compare equal when the setup is the same.
 */
record KernelState(List<String> links, List<String> addresses, List<String> routes) {
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(15);

    /**
     * The state once the kernel has finished configuring itself: no address still in
     * duplicate address detection (RFC 4862 section 5.4), whose end adds a local route.
     */
    static KernelState settled(String netns) throws Exception {
        Poll.until("no tentative address in " + netns, SETTLE_LIMIT,
                () -> !Commands.check("ip", "-n", netns, "-j", "addr", "show").contains("\"tentative\""),
                () -> "");
        return of(netns);
    }

    static KernelState of(String netns) throws IOException, InterruptedException {
        List<String> links = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (Config l : IpJson.array(Commands.check("ip", "-n", netns, "-j", "addr", "show"))) {
            String name = IpJson.string(l, "ifname");
            List<String> flags = new ArrayList<>(l.getStringList("flags"));
            flags.sort(null);
            links.add(name + " index " + IpJson.string(l, "ifindex") + " mtu " + IpJson.string(l, "mtu")
                    + " mac " + IpJson.string(l, "address") + " flags " + flags);
            for (Config a : l.getConfigList("addr_info")) {
                addresses.add(name + " " + IpJson.string(a, "family") + " " + IpJson.string(a, "local") + "/"
                        + IpJson.string(a, "prefixlen") + " scope " + IpJson.string(a, "scope")
                        + " broadcast " + IpJson.string(a, "broadcast"));
            }
        }
        List<String> routes = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (Config r : IpJson.array(Commands.check("ip", "-n", netns, "-j", family, "route", "show",
                    "table", "all"))) {
                List<String> flags = r.hasPath("flags") ? new ArrayList<>(r.getStringList("flags")) : List.of();
                routes.add(family + " " + IpJson.string(r, "type") + " " + IpJson.string(r, "dst")
                        + " via " + IpJson.string(r, "gateway") + " dev " + IpJson.string(r, "dev")
                        + " table " + IpJson.string(r, "table") + " proto " + IpJson.string(r, "protocol")
                        + " scope " + IpJson.string(r, "scope") + " src " + IpJson.string(r, "prefsrc")
                        + " metric " + IpJson.string(r, "metric") + " flags " + flags);
            }
        }
        links.sort(null);
        addresses.sort(null);
        routes.sort(null);
        return new KernelState(List.copyOf(links), List.copyOf(addresses), List.copyOf(routes));
    }

    @Override
    public String toString() {
        return "links:\n  " + String.join("\n  ", links) + "\naddresses:\n  " + String.join("\n  ", addresses)
                + "\nroutes:\n  " + String.join("\n  ", routes) + "\n";
    }
}
