package dev.cipherlane.chaos;

import dev.cipherlane.testbed.BytePattern;
import dev.cipherlane.testbed.InNamespace;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * UDP datagrams from chosen source ports of one namespace to a port of another, counted per
 * source port on arrival: a flow per port, each with its own flow hash, so a test can put
 * flows on chosen tunnels ({@link EcmpPorts}) and see which get through. Payloads are pieces
 * of a checked stream's byte sequence, so a wire audit would spot one crossing in clear.
 */
final class UdpProbe {
    private static final int PAYLOAD = 1000;
    private static final int RECEIVE_TIMEOUT_MS = 200;

    private UdpProbe() {}

    /**
     * Sends {@code datagrams} datagrams from each of {@code sourcePorts} (taking turns,
     * {@code spacing} apart) from {@code fromNetns} to {@code to} in {@code toNetns}, waits
     * {@code settle} for late ones, and returns how many arrived per source port (every port,
     * 0 for none).
     */
    static Map<Integer, Integer> send(String fromNetns, String fromAddress, List<Integer> sourcePorts,
                                      String toNetns, InetSocketAddress to, int datagrams, Duration spacing,
                                      Duration settle) throws Exception {
        Map<Integer, Integer> arrived = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        try (DatagramSocket receiver = InNamespace.call(toNetns, () -> new DatagramSocket(to))) {
            receiver.setSoTimeout(RECEIVE_TIMEOUT_MS);
            Thread counting = Thread.ofPlatform().name("udp-probe-receiver").daemon().start(() -> {
                byte[] buf = new byte[2 * PAYLOAD];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                while (!done.get()) {
                    try {
                        receiver.receive(p);
                        arrived.merge(p.getPort(), 1, Integer::sum);
                    } catch (SocketTimeoutException quiet) {
                        // look at done again
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            List<DatagramSocket> senders = new ArrayList<>();
            try {
                for (int port : sourcePorts) {
                    senders.add(InNamespace.call(fromNetns,
                            () -> new DatagramSocket(new InetSocketAddress(fromAddress, port))));
                }
                BytePattern pattern = new BytePattern(to.getPort());
                byte[] payload = new byte[PAYLOAD];
                for (int i = 0; i < datagrams; i++) {
                    for (DatagramSocket s : senders) {
                        pattern.copy((long) i * PAYLOAD, payload, 0, PAYLOAD);
                        s.send(new DatagramPacket(payload, PAYLOAD, to));
                    }
                    LockSupport.parkNanos(spacing.toNanos());
                }
            } finally {
                for (DatagramSocket s : senders) {
                    s.close();
                }
            }
            Thread.sleep(settle.toMillis());
            done.set(true);
            counting.join(5_000);
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int port : sourcePorts) {
            counts.put(port, arrived.getOrDefault(port, 0));
        }
        return counts;
    }
}
