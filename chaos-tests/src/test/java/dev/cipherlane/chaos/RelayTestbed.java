package dev.cipherlane.chaos;

import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Wire;
import java.io.IOException;
import java.net.InetAddress;
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
    private final List<Namespace> created = new ArrayList<>();
    NetNamespace a;
    NetNamespace relay;
    NetNamespace b;
    private Namespace relayNamespace;

    RelayTestbed() {
        String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        hostA = "clra-" + tag;
        relayNs = "clrr-" + tag;
        hostB = "clrb-" + tag;
    }

    void build() throws Exception {
        for (String name : List.of(hostA, relayNs, hostB)) {
            Namespace ns = Namespace.create(name);
            created.add(ns);
            ns.linkUp("lo");
        }
        Namespace nsA = created.get(0);
        relayNamespace = created.get(1);
        Namespace nsB = created.get(2);
        Wire toA = Wire.join(relayNamespace, "ra", nsA, "a0", 0);
        Wire toB = Wire.join(relayNamespace, "rb", nsB, "b0", 0);
        // The relay namespace is a wire, not a host: keep its own IPv6 chatter off the segment.
        relayNamespace.disableIpv6();
        noOffloads(nsA, "a0");
        noOffloads(relayNamespace, "ra");
        noOffloads(relayNamespace, "rb");
        noOffloads(nsB, "b0");
        nsA.rtnetlink().addressAdd(toA.indexB(), InetAddress.ofLiteral(A_ADDRESS), 24);
        nsB.rtnetlink().addressAdd(toB.indexB(), InetAddress.ofLiteral(B_ADDRESS), 24);
        toA.up();
        toB.up();
        a = nsA.handle();
        relay = relayNamespace.handle();
        b = nsB.handle();
    }

    private static void noOffloads(Namespace ns, String dev) throws IOException, InterruptedException {
        ns.exec("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
    }

    /** Sets the relay's end {@code port} ("ra", "rb") up or down, as a flapping link would. */
    void relayPort(String port, boolean up) throws IOException {
        int index = relayNamespace.linkIndex(port);
        if (up) {
            relayNamespace.rtnetlink().linkSetUp(index);
        } else {
            relayNamespace.rtnetlink().linkSetDown(index);
        }
    }

    /** Exit code of {@code ping} from host A to host B. */
    int pingFromA(int count, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ping", "-n", "-c", Integer.toString(count), "-i", "0.2", "-W",
                "1"));
        cmd.addAll(List.of(extra));
        cmd.add(B_ADDRESS);
        return Commands.run(Commands.DEFAULT_LIMIT, Commands.inNamespace(hostA, cmd)).exit();
    }

    @Override
    public void close() {
        for (Namespace ns : created.reversed()) {
            try {
                ns.close();
            } catch (Exception e) {
                // best effort: the next name is independent
            }
        }
    }
}
