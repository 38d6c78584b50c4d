package dev.cipherlane.afpacket;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Rtnetlink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two fresh network namespaces {@code clafa-<random>} and {@code clafb-<random>} joined by
 * a veth pair, {@link #A_LINK} in the first and {@link #B_LINK} in the second, both up,
 * IPv6 off (so neither kernel sends router or neighbour solicitations into the test) and no
 * addresses: the frames are built by the tests and only AF_PACKET sees them.
 * {@link #close()} closes the rings opened through it and deletes both namespaces (the veth goes with them); tests call it from
 * {@code @AfterEach}. Setup runs {@code ip}: it prepares the test, it is not product code.
 */
final class VethPair implements AutoCloseable {
    static final String A_LINK = "va";
    static final String B_LINK = "vb";

    final String a;
    final String b;
    NetNamespace nsA;
    NetNamespace nsB;
    int indexA;
    int indexB;
    /** Rings opened on either end, closed first by {@link #close()}. */
    private final List<PacketRing> rings = new ArrayList<>();

    private VethPair(String a, String b) {
        this.a = a;
        this.b = b;
    }

    static VethPair create() throws IOException, InterruptedException {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        VethPair pair = new VethPair("clafa-" + tag, "clafb-" + tag);
        try {
            run("ip", "netns", "add", pair.a);
            run("ip", "netns", "add", pair.b);
            for (String ns : List.of(pair.a, pair.b)) {
                run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            }
            run("ip", "-n", pair.a, "link", "add", A_LINK, "type", "veth", "peer", "name", B_LINK, "netns", pair.b);
            run("ip", "-n", pair.a, "link", "set", A_LINK, "up");
            run("ip", "-n", pair.b, "link", "set", B_LINK, "up");
            pair.nsA = NetNamespace.named(pair.a);
            pair.nsB = NetNamespace.named(pair.b);
            try (Rtnetlink rtA = Rtnetlink.open(pair.nsA); Rtnetlink rtB = Rtnetlink.open(pair.nsB)) {
                pair.indexA = rtA.linkIndex(A_LINK);
                pair.indexB = rtB.linkIndex(B_LINK);
            }
            return pair;
        } catch (IOException | RuntimeException | InterruptedException e) {
            pair.close();
            throw e;
        }
    }

    /** Opens a ring on the veth end in namespace A, from this thread visiting it. */
    PacketRing openA(PacketRing.Config config) throws LinuxException {
        PacketRing r = nsA.runIn(() -> PacketRing.open(indexA, config));
        rings.add(r);
        return r;
    }

    /** Opens a ring on the veth end in namespace B. */
    PacketRing openB(PacketRing.Config config) throws LinuxException {
        PacketRing r = nsB.runIn(() -> PacketRing.open(indexB, config));
        rings.add(r);
        return r;
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        List<Exception> failures = new ArrayList<>();
        for (PacketRing r : rings) {
            try {
                r.close();
            } catch (LinuxException e) {
                failures.add(e);
            }
        }
        for (NetNamespace ns : new NetNamespace[] {nsA, nsB}) {
            if (ns != null) {
                try {
                    ns.close();
                } catch (LinuxException e) {
                    failures.add(e);
                }
            }
        }
        for (String ns : List.of(a, b)) {
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
            IOException e = new IOException("cleaning up " + a + " and " + b);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
