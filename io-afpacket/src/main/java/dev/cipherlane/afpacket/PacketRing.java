package dev.cipherlane.afpacket;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Mmap;
import dev.cipherlane.linux.Sockets;
import dev.cipherlane.linux.VirtioNetHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.cipherlane.afpacket.Tpacket.*;

/**
 * One AF_PACKET socket on one interface with a TPACKET_V3 receive ring and transmit ring
 * sharing a single {@code mmap(2)} (rx blocks first, then tx blocks, as packet_mmap lays
 * them out). Several rings on one interface join a fanout group, one per worker, and the
 * kernel spreads received flows over them by hash.
 *
 * <p><b>Receive.</b> The kernel fills blocks of variable-sized packets and hands a whole
 * block over by setting its status to TP_STATUS_USER; it is given back with
 * TP_STATUS_KERNEL once every packet in it has been read. {@link #rxNext()} and
 * {@link #rxRelease()} walk the packets one by one so a poll can stop in the middle of a
 * block (budget) and go on from there next time. A block that is only partly filled is
 * handed over when the retire timeout expires, so a trickle of traffic still arrives.
 *
 * <p><b>Transmit.</b> The tx ring is a ring of fixed-size frames, each a tpacket3_hdr with
 * the packet at {@link Tpacket#TX_DATA_OFFSET}. {@link #txNext()} returns the next frame
 * if the kernel has given it back (TP_STATUS_AVAILABLE), {@link #txSubmit} marks it
 * TP_STATUS_SEND_REQUEST, and one {@link #txKick()} ({@code send(fd, NULL, 0, MSG_DONTWAIT)})
 * sends everything requested. PACKET_LOSS is on, so a frame the kernel refuses (longer
 * than the MTU) is skipped rather than left blocking the ring in TP_STATUS_WRONG_FORMAT.
 *
 * <p><b>Threads.</b> The rx and tx cursors are plain fields: a ring belongs to one worker,
 * which alone calls the rx/tx methods. {@link #statistics()} may be called from any thread.
 *
 * <p><b>Offloads.</b> With {@link Config#offloads()} the socket carries a virtio-net header
 * (PACKET_VNET_HDR, the 10-byte {@code struct virtio_net_hdr}) in front of every frame both
 * ways. Received: the kernel says whether a frame is a GSO super-packet (a UDP GSO batch
 * from a peer, a GRO'd frame) and whether its L4 checksum is still partial, which without
 * the header could not be told from the bytes. Sent: the header travels in each tx frame
 * ahead of the packet ({@link #txPacketOffset()}), and a second socket without a ring
 * ({@link GsoSocket}) sends super-frames that the kernel segments, or that cross a veth
 * whole; it is kept small enough that a peer's rx block, of the same size as ours, holds
 * it ({@link Config#superFrameLimit()}).
 *
 * <p>The socket is created with protocol 0, so it receives nothing until bound to its
 * interface with {@code htons(ETH_P_ALL)}: a socket created with ETH_P_ALL would capture
 * every interface of the namespace into the ring during setup.
 */
public final class PacketRing implements AutoCloseable {
    /**
     * Ring geometry and socket options.
     *
     * @param rxBlockSize         bytes per rx block, a multiple of the page size
     * @param rxBlockCount        rx blocks
     * @param frameSize           tx frame size and the rx ring's nominal frame size, a
     *                            multiple of 16 that divides the block sizes
     * @param retireTimeoutMillis how long the kernel keeps a partly filled rx block (0: its default)
     * @param txBlockSize         bytes per tx block, a multiple of the page size
     * @param txBlockCount        tx blocks; tx frames = txBlockCount * txBlockSize / frameSize
     * @param fanoutGroup         fanout group id (0..65535) or -1 for none
     * @param qdiscBypass         PACKET_QDISC_BYPASS: transmit straight to the driver, no qdisc
     * @param offloads            virtio-net headers on every frame and a {@link GsoSocket} beside the rings
     */
    public record Config(int rxBlockSize, int rxBlockCount, int frameSize, int retireTimeoutMillis,
                         int txBlockSize, int txBlockCount, int fanoutGroup, boolean qdiscBypass,
                         boolean offloads) {
        private static final int PAGE = 4096;
        /** TPACKET3_HDRLEN: the smallest frame the kernel accepts. */
        private static final int MIN_FRAME = 68;
        /** Tx frames for MTUs up to about 1.9 KB, and the rx ring's nominal frame. */
        private static final int DEFAULT_FRAME = 2048;
        /** Ethernet header with one 802.1Q tag (IEEE 802.1Q-2018 9.3). */
        private static final int ETHERNET_WITH_VLAN = 18;
        /**
         * What an rx block spends on other things than one frame: the block descriptor,
         * the tpacket3_hdr and sockaddr_ll, the virtio-net header and alignment (the kernel
         * truncates a V3 frame to what fits in one block after them).
         */
        private static final int BLOCK_OVERHEAD = 256;

        /**
         * Largest Ethernet frame a super-frame sent to a peer with this rx geometry may be:
         * what one rx block takes whole, and never more than one IP packet's worth.
         */
        public int superFrameLimit() {
            return Math.min(rxBlockSize - BLOCK_OVERHEAD, UdpGso.MAX_FRAME);
        }

        public Config {
            checkBlocks("rx", rxBlockSize, rxBlockCount, frameSize);
            checkBlocks("tx", txBlockSize, txBlockCount, frameSize);
            if (frameSize < MIN_FRAME || frameSize % 16 != 0) {
                throw new IllegalArgumentException("frame size must be a multiple of 16 and >= " + MIN_FRAME
                        + ", got " + frameSize);
            }
            if (retireTimeoutMillis < 0) {
                throw new IllegalArgumentException("retire timeout must be >= 0, got " + retireTimeoutMillis);
            }
            if (fanoutGroup < -1 || fanoutGroup > 0xffff) {
                throw new IllegalArgumentException("fanout group must be -1 or 0..65535, got " + fanoutGroup);
            }
        }

        /** The same geometry without offloads. */
        public Config(int rxBlockSize, int rxBlockCount, int frameSize, int retireTimeoutMillis,
                      int txBlockSize, int txBlockCount, int fanoutGroup, boolean qdiscBypass) {
            this(rxBlockSize, rxBlockCount, frameSize, retireTimeoutMillis, txBlockSize, txBlockCount, fanoutGroup,
                    qdiscBypass, false);
        }

        /** The same config with offloads on or off. */
        public Config withOffloads(boolean on) {
            return new Config(rxBlockSize, rxBlockCount, frameSize, retireTimeoutMillis, txBlockSize, txBlockCount,
                    fanoutGroup, qdiscBypass, on);
        }

        private static void checkBlocks(String ring, int blockSize, int blockCount, int frameSize) {
            if (blockSize <= 0 || blockSize % PAGE != 0 || blockCount <= 0) {
                throw new IllegalArgumentException(ring + " ring: block size must be a positive multiple of "
                        + PAGE + " and block count positive, got " + blockSize + " x " + blockCount);
            }
            if (frameSize > 0 && blockSize % frameSize != 0) {
                throw new IllegalArgumentException(ring + " ring: frame size " + frameSize
                        + " does not divide block size " + blockSize);
            }
        }

        /**
         * The frame size whose tx frames carry an Ethernet frame with {@code mtu} bytes of
         * payload, a VLAN tag and the virtio-net header: the default 2 KB, or the next power of
         * two for jumbo MTUs, so every packet the MTU checks let through fits a tx frame.
         */
        public static int frameSizeFor(int mtu) {
            int need = TX_DATA_OFFSET + VirtioNetHeader.LEGACY_SIZE + ETHERNET_WITH_VLAN + mtu;
            int size = DEFAULT_FRAME;
            while (size < need) {
                size <<= 1;
            }
            return size;
        }

        /** {@code this} with tx frames of {@code frameSize}, as many tx frames as before. */
        public Config withFrameSize(int frameSize) {
            int frames = txFrames();
            int blocks = Math.max(1, (int) (((long) frames * frameSize + txBlockSize - 1) / txBlockSize));
            return new Config(rxBlockSize, rxBlockCount, frameSize, retireTimeoutMillis, txBlockSize, blocks,
                    fanoutGroup, qdiscBypass, offloads);
        }

        /** 8 rx blocks of 256 KB, 2 KB frames, 256 tx frames, 10 ms retire timeout. */
        public static Config defaults(int fanoutGroup) {
            return new Config(1 << 18, 8, DEFAULT_FRAME, 10, 1 << 18, 2, fanoutGroup, false);
        }

        int txFrames() {
            return txBlockCount * (txBlockSize / frameSize);
        }
    }

    /**
     * Cumulative kernel counters (tpacket_stats_v3) since the ring was opened.
     *
     * @param packets frames that reached the socket, dropped ones included (the kernel adds
     *                tp_drops into tp_packets)
     * @param drops   frames dropped because no rx block was free
     * @param freezes times the rx queue froze because every block was owned by user space
     */
    public record Statistics(long packets, long drops, long freezes) {}

    private static final VarHandle STATUS = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private final int interfaceIndex;
    private final Config config;
    private final Arena arena;
    private final MemorySegment ring;
    private final long txBase;
    private final int txFrames;
    private final int txFramesPerBlock;
    /** Bytes of virtio-net header before each frame: 10 with offloads, else 0. */
    private final int vnetHeader;
    private final GsoSocket gso;

    // Rx cursor: block being read, packets left in it (0: not entered yet), next packet.
    private int rxBlock;
    private int rxLeft;
    private long rxPacket;
    // Tx cursor: next frame to fill.
    private int txFrame;

    private long packets;
    private long drops;
    private long freezes;
    private boolean closed;

    private PacketRing(int fd, int interfaceIndex, Config config, Arena arena, MemorySegment ring, GsoSocket gso) {
        this.fd = fd;
        this.interfaceIndex = interfaceIndex;
        this.config = config;
        this.arena = arena;
        this.ring = ring;
        this.txBase = (long) config.rxBlockSize() * config.rxBlockCount();
        this.txFrames = config.txFrames();
        this.txFramesPerBlock = config.txBlockSize() / config.frameSize();
        this.vnetHeader = config.offloads() ? VirtioNetHeader.LEGACY_SIZE : 0;
        this.gso = gso;
    }

    /**
     * Opens a ring on interface {@code interfaceIndex} of the calling thread's network
     * namespace (call it inside {@code NetNamespace.runIn} for another namespace).
     */
    public static PacketRing open(int interfaceIndex, Config config) throws LinuxException {
        if (interfaceIndex <= 0) {
            throw new IllegalArgumentException("interface index must be > 0, got " + interfaceIndex);
        }
        int fd = Sockets.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, 0);
        Arena arena = Arena.ofShared();
        try {
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3);
            // PACKET_LOSS must be set before the rings exist (the kernel answers EBUSY after).
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_LOSS, 1);
            // Our own transmissions and the host's would otherwise loop back into the rx ring.
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
            if (config.qdiscBypass()) {
                Sockets.setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
            }
            if (config.offloads()) {
                // Like PACKET_LOSS, only accepted before the rings exist.
                Sockets.setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, 1);
            }
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment req = scratch.allocate(REQ3_SIZE, 8);
                ringRequest(req, config.rxBlockSize(), config.rxBlockCount(), config.frameSize(),
                        config.retireTimeoutMillis());
                Sockets.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, REQ3_SIZE);
                // A V3 tx ring must not ask for a retire timeout, private area or features.
                ringRequest(req, config.txBlockSize(), config.txBlockCount(), config.frameSize(), 0);
                Sockets.setsockopt(fd, SOL_PACKET, PACKET_TX_RING, req, REQ3_SIZE);

                long length = (long) config.rxBlockSize() * config.rxBlockCount()
                        + (long) config.txBlockSize() * config.txBlockCount();
                MemorySegment ring = Mmap.map(arena, length, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, fd, 0);

                bind(fd, interfaceIndex, ETH_P_ALL);
                // Joining needs a bound (running) socket; all members share type, interface and protocol.
                if (config.fanoutGroup() >= 0) {
                    joinFanout(fd, config.fanoutGroup());
                }
                GsoSocket gso = config.offloads() ? GsoSocket.open(interfaceIndex, config.qdiscBypass()) : null;
                return new PacketRing(fd, interfaceIndex, config, arena, ring, gso);
            }
        } catch (LinuxException | RuntimeException e) {
            arena.close();
            try {
                Libc.close(fd);
            } catch (LinuxException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * PACKET_FANOUT_FLAG_IGNORE_OUTGOING (uapi linux/if_packet.h, newer than the headers of
     * some distributions): a fanout group's hook skips frames leaving the interface, as
     * PACKET_IGNORE_OUTGOING does for a lone socket, whose option the group's hook ignores.
     */
    static final int FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;

    /**
     * Joins fanout group {@code group} by flow hash. Without the ignore-outgoing flag (older
     * kernels refuse it with EINVAL) frames that our {@link GsoSocket} sends come back into
     * the rings, and {@link AfPacketInput} drops them by their packet type instead.
     */
    private static void joinFanout(int fd, int group) throws LinuxException {
        try {
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_FANOUT,
                    group | ((PACKET_FANOUT_HASH | FANOUT_FLAG_IGNORE_OUTGOING) << 16));
        } catch (LinuxException e) {
            Sockets.setsockopt(fd, SOL_PACKET, PACKET_FANOUT, group | (PACKET_FANOUT_HASH << 16));
        }
    }

    /**
     * Binds packet socket {@code fd} to interface {@code interfaceIndex} for frames of
     * {@code protocol} (an ETH_P_ value; 0 receives none).
     */
    static void bind(int fd, int interfaceIndex, int protocol) throws LinuxException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment sll = scratch.allocate(SLL_SIZE, 4);
            sll.set(ValueLayout.JAVA_SHORT, SLL_FAMILY, (short) Sockets.AF_PACKET);
            sll.set(BE16, SLL_PROTOCOL, (short) protocol);
            sll.set(ValueLayout.JAVA_INT, SLL_IFINDEX, interfaceIndex);
            Sockets.bind(fd, sll, SLL_SIZE);
        }
    }

    private static void ringRequest(MemorySegment req, int blockSize, int blockCount, int frameSize, int retire) {
        req.fill((byte) 0);
        req.set(ValueLayout.JAVA_INT, REQ3_BLOCK_SIZE, blockSize);
        req.set(ValueLayout.JAVA_INT, REQ3_BLOCK_NR, blockCount);
        req.set(ValueLayout.JAVA_INT, REQ3_FRAME_SIZE, frameSize);
        req.set(ValueLayout.JAVA_INT, REQ3_FRAME_NR, blockCount * (blockSize / frameSize));
        req.set(ValueLayout.JAVA_INT, REQ3_RETIRE_BLK_TOV, retire);
    }

    public int fd() {
        return fd;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    public Config config() {
        return config;
    }

    /** Both rings as mapped: rx blocks from 0, tx frames after them. */
    public MemorySegment memory() {
        return ring;
    }

    // ---- receive -------------------------------------------------------------------------

    /**
     * Offset in {@link #memory()} of the next received packet's tpacket3_hdr, or -1 when
     * the kernel has handed over nothing more. The same packet is returned until
     * {@link #rxRelease()}.
     */
    public long rxNext() {
        if (rxLeft > 0) {
            return rxPacket;
        }
        // An empty block (possible after a retire timeout) goes straight back; at most one lap.
        for (int tries = 0; tries < config.rxBlockCount(); tries++) {
            long block = (long) rxBlock * config.rxBlockSize();
            int status = (int) STATUS.getAcquire(ring, block + BLOCK_STATUS);
            if ((status & TP_STATUS_USER) == 0) {
                return -1;
            }
            int n = ring.get(ValueLayout.JAVA_INT, block + BLOCK_NUM_PKTS);
            if (n > 0) {
                rxLeft = n;
                rxPacket = block + ring.get(ValueLayout.JAVA_INT, block + BLOCK_OFFSET_TO_FIRST);
                return rxPacket;
            }
            returnBlock(block);
        }
        return -1;
    }

    /** Done with the packet {@link #rxNext()} returned; its block goes back after its last packet. */
    public void rxRelease() {
        if (rxLeft <= 0) {
            throw new IllegalStateException("no received packet to release");
        }
        if (--rxLeft == 0) {
            returnBlock((long) rxBlock * config.rxBlockSize());
        } else {
            rxPacket += ring.get(ValueLayout.JAVA_INT, rxPacket + H3_NEXT_OFFSET);
        }
    }

    /*
     * What the kernel says of a received packet, for callers outside this package that read
     * the ring themselves (the AVF model's wire); h is what rxNext() returned.
     */

    /** Offset in {@link #memory()} of the packet's first byte (its Ethernet header). */
    public long rxFrame(long h) {
        return h + Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, h + H3_MAC));
    }

    /** Bytes of the packet in the ring (tp_snaplen): fewer than {@link #rxWireLength} when truncated. */
    public int rxSnapLength(long h) {
        return ring.get(ValueLayout.JAVA_INT, h + H3_SNAPLEN);
    }

    /** Bytes of the packet as it was (tp_len). */
    public int rxWireLength(long h) {
        return ring.get(ValueLayout.JAVA_INT, h + H3_LEN);
    }

    /** Whether the packet is one this host sent (PACKET_OUTGOING), looped back to the ring. */
    public boolean rxOutgoing(long h) {
        return ring.get(ValueLayout.JAVA_BYTE, h + H3_SLL + SLL_PKTTYPE) == PACKET_OUTGOING;
    }

    /**
     * The TCI of the 802.1Q tag the kernel took out of the packet, or -1 when it had none
     * (tp_status without TP_STATUS_VLAN_VALID).
     */
    public int rxVlanTci(long h) {
        int status = ring.get(ValueLayout.JAVA_INT, h + H3_STATUS);
        return (status & TP_STATUS_VLAN_VALID) == 0 ? -1 : ring.get(ValueLayout.JAVA_INT, h + H3_VLAN_TCI) & 0xffff;
    }

    /** The TPID of that tag: what the kernel says, or 0x8100 when it does not say (IEEE 802.1Q 9.5). */
    public int rxVlanTpid(long h) {
        int status = ring.get(ValueLayout.JAVA_INT, h + H3_STATUS);
        return (status & TP_STATUS_VLAN_TPID_VALID) != 0
                ? Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, h + H3_VLAN_TPID)) : 0x8100;
    }

    private void returnBlock(long block) {
        // Release: our reads of the block happen before the kernel may refill it.
        STATUS.setRelease(ring, block + BLOCK_STATUS, TP_STATUS_KERNEL);
        rxBlock = rxBlock + 1 == config.rxBlockCount() ? 0 : rxBlock + 1;
    }

    // ---- transmit ------------------------------------------------------------------------

    /** Largest packet a tx frame holds. */
    public int txCapacity() {
        return config.frameSize() - TX_DATA_OFFSET - vnetHeader;
    }

    /** Whether frames carry virtio-net headers both ways ({@link Config#offloads()}). */
    public boolean offloads() {
        return vnetHeader != 0;
    }

    /** The socket for super-frames, or null without offloads. */
    public GsoSocket gso() {
        return gso;
    }

    /** Number of tx frames. */
    public int txFrames() {
        return txFrames;
    }

    /**
     * Offset in {@link #memory()} of the next tx frame's tpacket3_hdr if the kernel has
     * given it back, else -1 (the ring is full). The packet goes at
     * {@link Tpacket#TX_DATA_OFFSET} from there.
     */
    public long txNext() {
        long frame = txBase + (long) (txFrame / txFramesPerBlock) * config.txBlockSize()
                + (long) (txFrame % txFramesPerBlock) * config.frameSize();
        int status = (int) STATUS.getAcquire(ring, frame + H3_STATUS);
        return status == TP_STATUS_AVAILABLE ? frame : -1;
    }

    /**
     * Offset of the packet within a tx frame; with offloads its virtio-net header goes in
     * the {@value VirtioNetHeader#LEGACY_SIZE} bytes before it ({@link #txHeaderOffset()}).
     */
    public int txPacketOffset() {
        return TX_DATA_OFFSET + vnetHeader;
    }

    /** Offset of the virtio-net header within a tx frame (meaningful with offloads only). */
    public static int txHeaderOffset() {
        return TX_DATA_OFFSET;
    }

    /**
     * Hands the frame {@link #txNext()} returned, holding a {@code length}-byte packet at
     * {@link #txPacketOffset()}, to the kernel. With offloads the caller has written the
     * packet's virtio-net header.
     */
    public void txSubmit(long frame, int length) {
        ring.set(ValueLayout.JAVA_INT, frame + H3_NEXT_OFFSET, 0);
        ring.set(ValueLayout.JAVA_INT, frame + H3_LEN, length + vnetHeader);
        ring.set(ValueLayout.JAVA_INT, frame + H3_SNAPLEN, length + vnetHeader);
        // Release: the packet bytes are visible before the kernel sees the request.
        STATUS.setRelease(ring, frame + H3_STATUS, TP_STATUS_SEND_REQUEST);
        txFrame = txFrame + 1 == txFrames ? 0 : txFrame + 1;
    }

    /**
     * {@code send(fd, NULL, 0, MSG_DONTWAIT)}: the kernel transmits every frame marked
     * TP_STATUS_SEND_REQUEST. Returns bytes sent, or {@link Libc#WOULD_BLOCK}.
     */
    public long txKick() throws LinuxException {
        return Sockets.send(fd, MemorySegment.NULL, 0, 0, Sockets.MSG_DONTWAIT);
    }

    // ---- statistics ----------------------------------------------------------------------

    /**
     * Kernel counters since the ring was opened. PACKET_STATISTICS resets them on every
     * read, so they are summed here.
     */
    public synchronized Statistics statistics() throws LinuxException {
        if (!closed) {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment st = scratch.allocate(STATS_SIZE, 4);
                Sockets.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, st);
                packets += Integer.toUnsignedLong(st.get(ValueLayout.JAVA_INT, STATS_PACKETS));
                drops += Integer.toUnsignedLong(st.get(ValueLayout.JAVA_INT, STATS_DROPS));
                freezes += Integer.toUnsignedLong(st.get(ValueLayout.JAVA_INT, STATS_FREEZE_Q_CNT));
            }
        }
        return new Statistics(packets, drops, freezes);
    }

    /** Unmaps the rings and closes the socket (which leaves the fanout group). */
    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        arena.close();
        try {
            Libc.close(fd);
        } finally {
            if (gso != null) {
                gso.close();
            }
        }
    }

    @Override
    public String toString() {
        return "af_packet ring fd " + fd + " on interface " + interfaceIndex;
    }
}
