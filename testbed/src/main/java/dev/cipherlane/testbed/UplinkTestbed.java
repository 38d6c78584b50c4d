package dev.cipherlane.testbed;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A node namespace {@code clup-<random>} whose uplink {@link #UPLINK} is a veth to a peer
 * namespace {@code clpeer-<random>}. The node has 10.252.0.1/24, fd52::1/64 and a default
 * route via 10.252.0.254 (a permanent neighbour, so the route is usable); the peer has
 * 10.252.0.2/24. Duplicate address detection is off in the node namespace so that no
 * address is still "tentative" when a test snapshots {@code ip -j addr}. Setup runs
 * {@code ip}: it prepares the test, it is not product code. {@link #close()} deletes both
 * namespaces.
 */
public final class UplinkTestbed implements AutoCloseable {
    public static final String UPLINK = "up0";
    public static final String PEER_LINK = "pe0";
    public static final String GATEWAY = "10.252.0.254";

    public final String node;
    public final String peer;
    public NetNamespace nodeNs;

    private UplinkTestbed(String node, String peer) {
        this.node = node;
        this.peer = peer;
    }

    public static UplinkTestbed create() throws IOException, InterruptedException {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        UplinkTestbed bed = new UplinkTestbed("clup-" + tag, "clpeer-" + tag);
        try {
            run("ip", "netns", "add", bed.node);
            run("ip", "netns", "add", bed.peer);
            bed.inNode("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0");
            bed.inNode("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
            run("ip", "netns", "exec", bed.peer, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            run("ip", "netns", "exec", bed.peer, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            run("ip", "-n", bed.node, "link", "add", UPLINK, "type", "veth", "peer", "name", PEER_LINK,
                    "netns", bed.peer);
            run("ip", "-n", bed.node, "link", "set", UPLINK, "up");
            run("ip", "-n", bed.peer, "link", "set", PEER_LINK, "up");
            run("ip", "-n", bed.node, "addr", "add", "10.252.0.1/24", "dev", UPLINK);
            run("ip", "-n", bed.node, "addr", "add", "fd52::1/64", "dev", UPLINK);
            run("ip", "-n", bed.node, "neigh", "add", GATEWAY, "lladdr", "02:00:00:00:00:fe", "dev", UPLINK,
                    "nud", "permanent");
            run("ip", "-n", bed.node, "route", "add", "default", "via", GATEWAY, "dev", UPLINK);
            run("ip", "-n", bed.peer, "addr", "add", "10.252.0.2/24", "dev", PEER_LINK);
            bed.nodeNs = NetNamespace.named(bed.node);
            return bed;
        } catch (IOException | RuntimeException | InterruptedException e) {
            try {
                bed.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** {@code ip -j addr show dev <uplink>}, {@code ip -j route}, {@code ip -j -6 route} in the node. */
    public List<String> snapshot() throws IOException, InterruptedException {
        return List.of(run("ip", "-n", node, "-j", "addr", "show", "dev", UPLINK),
                run("ip", "-n", node, "-j", "route"), run("ip", "-n", node, "-j", "-6", "route"));
    }

    public String inNode(String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", node));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    /**
     * Whether one ping from the peer to the node's 10.252.0.1 gets an answer within two
     * seconds. The peer's neighbour cache is flushed first: an ARP resolution that failed
     * while the uplink was hidden would otherwise still be running out its probes, and
     * fail this ping too.
     */
    public boolean peerPingAnswered() throws IOException, InterruptedException {
        run("ip", "-n", peer, "neigh", "flush", "dev", PEER_LINK);
        Process p = new ProcessBuilder("ip", "netns", "exec", peer, "ping", "-n", "-c", "1", "-W", "2", "10.252.0.1")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ping timed out");
        }
        return p.exitValue() == 0;
    }

    @Override
    public void close() throws IOException {
        List<Exception> failures = new ArrayList<>();
        if (nodeNs != null) {
            try {
                nodeNs.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        for (String ns : List.of(node, peer)) {
            if (Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, ns))) {
                try {
                    run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    failures.add(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(e);
                }
            }
        }
        if (!failures.isEmpty()) {
            IOException e = new IOException("cleaning up " + node + " and " + peer);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    public static String run(String... cmd) throws IOException, InterruptedException {
        return PodNamespace.run(cmd);
    }
}
