package dev.cipherlane.chaos;

import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.testbed.Commands;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Three namespaces on one L2 segment, split by the relay:
 *
 * <pre>
 *   clra-X [a0 10.250.0.1/24]==veth==[ra] clrr-X [rb]==veth==[b0 10.250.0.2/24] clrb-X
 * </pre>
 *
 * Offloads are off on every veth end so the relay sees MTU-sized frames with real
 * checksums (see {@link ImpairmentRelay}). {@link #close()} removes whatever was built,
 * however far setup got.
 */
final class RelayTestbed implements AutoCloseable {
    static final String A_ADDRESS = "10.250.0.1";
    static final String B_ADDRESS = "10.250.0.2";

    final String hostA;
    final String relayNs;
    final String hostB;
    private final List<String> created = new ArrayList<>();
    private final List<NetNamespace> handles = new ArrayList<>();
    NetNamespace a;
    NetNamespace relay;
    NetNamespace b;

    RelayTestbed() {
        String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        hostA = "clra-" + tag;
        relayNs = "clrr-" + tag;
        hostB = "clrb-" + tag;
    }

    void build() throws Exception {
        for (String ns : List.of(hostA, relayNs, hostB)) {
            Commands.check("ip", "netns", "add", ns);
            created.add(ns);
            Commands.check("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Commands.check("ip", "-n", relayNs, "link", "add", "ra", "type", "veth", "peer", "name", "a0", "netns", hostA);
        Commands.check("ip", "-n", relayNs, "link", "add", "rb", "type", "veth", "peer", "name", "b0", "netns", hostB);
        // The relay namespace is a wire, not a host: keep its own IPv6 chatter off the segment.
        Commands.checkIn(relayNs, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        Commands.checkIn(relayNs, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        noOffloads(hostA, "a0");
        noOffloads(relayNs, "ra");
        noOffloads(relayNs, "rb");
        noOffloads(hostB, "b0");
        Commands.check("ip", "-n", hostA, "addr", "add", A_ADDRESS + "/24", "dev", "a0");
        Commands.check("ip", "-n", hostB, "addr", "add", B_ADDRESS + "/24", "dev", "b0");
        for (String[] link : new String[][] {{hostA, "a0"}, {relayNs, "ra"}, {relayNs, "rb"}, {hostB, "b0"}}) {
            Commands.check("ip", "-n", link[0], "link", "set", link[1], "up");
        }
        a = handle(hostA);
        relay = handle(relayNs);
        b = handle(hostB);
    }

    private NetNamespace handle(String name) throws Exception {
        NetNamespace ns = NetNamespace.named(name);
        handles.add(ns);
        return ns;
    }

    private static void noOffloads(String ns, String dev) throws IOException, InterruptedException {
        Commands.check("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off",
                "gro", "off");
    }

    /** Exit code of {@code ping} from host A to host B. */
    int pingFromA(int count, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostA, "ping", "-n", "-c",
                Integer.toString(count), "-i", "0.2", "-W", "1"));
        cmd.addAll(List.of(extra));
        cmd.add(B_ADDRESS);
        return Commands.run(cmd.toArray(String[]::new)).exit();
    }

    @Override
    public void close() {
        for (NetNamespace ns : handles) {
            try {
                ns.close();
            } catch (Exception e) {
                // still delete the names below
            }
        }
        for (String ns : created) {
            try {
                Commands.run("ip", "netns", "del", ns);
            } catch (Exception e) {
                // best effort: the next name is independent
            }
        }
    }
}
