package dev.cipherlane.ipsec.ike.port;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.PuntQueue;
import dev.cipherlane.stages.graph.IdleStrategy;
import dev.cipherlane.stages.ring.FrameRing;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The IKE daemon's door to the dataplane. In: {@code ike-input} offers IKE datagrams here
 * ({@link #offer}); a thread of this port takes them off the queue, copies out addresses, ports
 * and the message (without the non-ESP marker on port 4500, RFC 3948 section 2.2), frees the
 * buffer and hands the datagram to the {@link Receiver}. Out: {@link #send} writes an IPv4/UDP
 * datagram into a buffer and injects it through a ring into {@code ip4-rewrite} with the
 * tunnel's underlay adjacency as next hop, so it leaves the uplink like the tunnel's own
 * packets (an unresolved next hop drops it there, counted; IKE retransmits).
 *
 * <p>Messages are copied into byte arrays: IKE is a handful of packets a second per tunnel, and
 * the protocol engine above works on arrays. The forwarding path never comes here.
 */
public final class IkePort implements PuntQueue, AutoCloseable {
    /** The name of the ring input that takes our datagrams into the graph. */
    public static final String OUTPUT_NAME = "ike-output";
    /** TTL of what we send: {@code ip4-rewrite} takes one off, as for a forwarded packet. */
    static final int TTL = 65;

    /**
     * One IKE datagram: IPv4 addresses and UDP ports of our side and the peer's, and the IKE
     * message (without the non-ESP marker).
     */
    public record Datagram(int local, int remote, int localPort, int remotePort, byte[] message) {}

    /** Where received datagrams go; called on the port's thread, so it must only hand them on. */
    @FunctionalInterface
    public interface Receiver {
        void received(Datagram d);
    }

    private final PacketMemory mem;
    private final ArrayBlockingQueue<Integer> queue;
    private final BufferCache rxCache;
    private final BufferCache txCache;
    private final FrameRing ring = new FrameRing(OUTPUT_NAME, FrameRing.SIZE_MIN);
    private final int[] one = new int[1];
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong notSent = new AtomicLong();
    private volatile IdleStrategy wake;
    private volatile boolean running = true;
    private Thread thread;

    /** @param capacity datagrams waiting at most (dataplane.ring-size) */
    public IkePort(PacketMemory mem, int capacity) {
        this.mem = mem;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.rxCache = mem.newCache();
        this.txCache = mem.newCache();
    }

    /** The ring {@code ike-output} drains. */
    public FrameRing ring() {
        return ring;
    }

    /** The idle strategy of the worker draining {@link #ring}, woken after each send. */
    public void wakes(IdleStrategy idle) {
        this.wake = idle;
    }

    /** Starts handing received datagrams to {@code receiver}. */
    public synchronized void start(Receiver receiver) {
        if (thread != null) {
            throw new IllegalStateException("ike port already started");
        }
        thread = Thread.ofPlatform().name("cl-ike").daemon(true).start(() -> drain(receiver));
    }

    @Override
    public boolean offer(int bi) {
        // Boxing here is on IKE's path, a few packets a second, never on forwarding.
        return queue.offer(bi);
    }

    private void drain(Receiver receiver) {
        try {
            while (running) {
                Integer bi = queue.poll(50, TimeUnit.MILLISECONDS);
                if (bi == null) {
                    continue;
                }
                Datagram d;
                try {
                    d = parse(mem, bi);
                } finally {
                    rxCache.free(bi);
                }
                if (d == null) {
                    malformed.incrementAndGet();
                } else {
                    received.incrementAndGet();
                    receiver.received(d);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The datagram in buffer {@code bi} (starting at its IPv4 header), or null if it is not one. */
    static Datagram parse(PacketMemory mem, int bi) {
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return null;
        }
        int headerLength = (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) & 0x0F) * 4;
        int total = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
        if (headerLength < Ip4.MIN_HEADER || total > length || total < headerLength + Udp.HEADER) {
            return null;
        }
        long udp = ip + headerLength;
        int udpLength = Short.toUnsignedInt(data.get(Net.U16, udp + Udp.LENGTH));
        if (udpLength < Udp.HEADER || udpLength > total - headerLength) {
            return null;
        }
        int localPort = Short.toUnsignedInt(data.get(Net.U16, udp + Udp.DESTINATION_PORT));
        int skip = localPort == Udp.NAT_TRAVERSAL_PORT ? 4 : 0;
        int messageLength = udpLength - Udp.HEADER - skip;
        if (messageLength < 0) {
            return null;
        }
        byte[] message = new byte[messageLength];
        MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, udp + Udp.HEADER + skip, message, 0,
                messageLength);
        return new Datagram(data.get(Net.U32, ip + Ip4.DESTINATION), data.get(Net.U32, ip + Ip4.SOURCE), localPort,
                Short.toUnsignedInt(data.get(Net.U16, udp + Udp.SOURCE_PORT)), message);
    }

    /**
     * Sends {@code d} through the tunnel's underlay next hop, adjacency {@code underlayAdjacency}
     * on interface {@code txInterface}; on port 4500 behind the non-ESP marker. Returns false
     * (counted) when no buffer or no ring slot was free. Any thread; sends are serialised here.
     */
    public synchronized boolean send(Datagram d, int underlayAdjacency, int txInterface) {
        int skip = d.localPort() == Udp.NAT_TRAVERSAL_PORT || d.remotePort() == Udp.NAT_TRAVERSAL_PORT ? 4 : 0;
        int udpLength = Udp.HEADER + skip + d.message().length;
        int total = Ip4.MIN_HEADER + udpLength;
        int bi = txCache.allocSmall();
        if (bi < 0 || total > mem.bufferBytes(bi) - PacketMemory.HEADROOM) {
            if (bi >= 0) {
                txCache.free(bi);
            }
            notSent.incrementAndGet();
            return false;
        }
        mem.dataOffset(bi, PacketMemory.HEADROOM);
        mem.length(bi, total);
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        data.set(Net.U8, ip + Ip4.VERSION_IHL, (byte) 0x45);
        data.set(Net.U8, ip + 1, (byte) 0);
        data.set(Net.U16, ip + Ip4.TOTAL_LENGTH, (short) total);
        data.set(Net.U16, ip + Ip4.IDENTIFICATION, (short) 0);
        // DF off: IKE messages may be fragmented on the way (RFC 7296 section 2.19 leaves it to IP).
        data.set(Net.U16, ip + Ip4.FLAGS_FRAGMENT, (short) 0);
        data.set(Net.U8, ip + Ip4.TTL, (byte) TTL);
        data.set(Net.U8, ip + Ip4.PROTOCOL, (byte) IpProtocol.UDP);
        data.set(Net.U16, ip + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U32, ip + Ip4.SOURCE, d.local());
        data.set(Net.U32, ip + Ip4.DESTINATION, d.remote());
        data.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(data, ip, Ip4.MIN_HEADER));
        long udp = ip + Ip4.MIN_HEADER;
        data.set(Net.U16, udp + Udp.SOURCE_PORT, (short) d.localPort());
        data.set(Net.U16, udp + Udp.DESTINATION_PORT, (short) d.remotePort());
        data.set(Net.U16, udp + Udp.LENGTH, (short) udpLength);
        data.set(Net.U16, udp + Udp.CHECKSUM, (short) 0);
        if (skip > 0) {
            data.set(Net.U32, udp + Udp.HEADER, 0);
        }
        MemorySegment.copy(d.message(), 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, udp + Udp.HEADER + skip,
                d.message().length);
        data.set(Net.U16, udp + Udp.CHECKSUM, (short) udpChecksum(data, ip, udp, udpLength));
        mem.nextHop(bi, underlayAdjacency);
        mem.txInterface(bi, txInterface);
        one[0] = bi;
        if (!ring.offer(one, 0, 1)) {
            txCache.free(bi);
            notSent.incrementAndGet();
            return false;
        }
        sent.incrementAndGet();
        IdleStrategy w = wake;
        if (w != null) {
            w.wakeUp();
        }
        return true;
    }

    /** UDP's checksum over the pseudo-header and the datagram (RFC 768); 0 is sent as 0xFFFF. */
    private static int udpChecksum(MemorySegment data, long ip, long udp, int udpLength) {
        long sum = Checksum.sum(data, ip + Ip4.SOURCE, 8, 0);
        sum += IpProtocol.UDP + udpLength;
        sum = Checksum.sum(data, udp, udpLength, sum);
        int c = ~Checksum.fold(sum) & 0xFFFF;
        return c == 0 ? 0xFFFF : c;
    }

    public long received() {
        return received.get();
    }

    public long malformed() {
        return malformed.get();
    }

    public long sent() {
        return sent.get();
    }

    public long notSent() {
        return notSent.get();
    }

    /** Stops the thread (after the workers stopped) and frees what is left, in the queue and the ring. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join();
        }
        Integer bi;
        while ((bi = queue.poll()) != null) {
            rxCache.free(bi);
        }
        while (ring.poll((c, bis, off, n) -> {
            for (int i = 0; i < n; i++) {
                c.free(bis[off + i]);
            }
        }, txCache, Integer.MAX_VALUE) > 0) {
            // drained one batch
        }
        rxCache.close();
        synchronized (this) {
            txCache.close();
        }
    }
}
