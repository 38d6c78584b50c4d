package dev.cipherlane.chaos;

import dev.cipherlane.stages.fib.FlowHash;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Picks client ports whose flows a node's load balancer puts on a chosen path, so a test
 * with a few flows covers every tunnel by design instead of by luck. It follows the rule the
 * dataplane publishes: the symmetric flow hash ({@link FlowHash}) and
 * {@code path = buckets[hash & (b - 1)]} with {@code b = nextPowerOfTwo(16 n)} buckets
 * filled round robin for {@code n} paths ({@code LoadBalanceTable}), path i being tunnel i.
 * What the wire shows is still measured by the tests, not derived from this.
 */
final class EcmpPorts {
    private static final int BUCKETS_PER_PATH = 16;

    private EcmpPorts() {}

    /**
     * The first client port from {@code from} whose IPv4 flow of {@code protocol} between
     * {@code client} and {@code server}:{@code serverPort} hashes onto {@code path} of {@code paths}.
     */
    static int onPath(String client, String server, int protocol, int from, int serverPort, int path, int paths) {
        int buckets = paths == 1 ? 1 : Integer.highestOneBit(BUCKETS_PER_PATH * paths - 1) << 1;
        int src = ip4(client);
        int dst = ip4(server);
        for (int p = from; p < 65536; p++) {
            int hash = FlowHash.hash4(src, dst, protocol, p, serverPort);
            if ((hash & (buckets - 1)) % paths == path) {
                return p;
            }
        }
        throw new IllegalStateException("no client port above " + from + " hashes onto path " + path);
    }

    private static int ip4(String address) {
        return ByteBuffer.wrap(InetAddress.ofLiteral(address).getAddress()).getInt();
    }
}
