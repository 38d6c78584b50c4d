package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.avf.stage.AvfPort;
import dev.cipherlane.config.UplinkDriver;
import dev.cipherlane.stages.ring.FrameRing;
import dev.cipherlane.host.uplink.TakenUplink;
import dev.cipherlane.host.uplink.UplinkAddress;
import dev.cipherlane.host.uplink.UplinkTakeover;
import dev.cipherlane.config.UplinkSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.net.NetInterface;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink while the node runs: taken over from the kernel (DESIGN.md, "Uplink"), with one
 * AF_PACKET ring per worker in one fanout group, so the kernel spreads received flows over the
 * workers and each worker transmits on its own ring; or, with uplink.driver = "avf", no rings
 * but one VF that worker 0 drives ({@link AvfUplink}).
 *
 * <p>Taking over starts by restoring whatever a previous run left taken (a crash leaves the
 * state file, the host tap and the nft table behind); closing restores the kernel interface as
 * it was. Between the two, the kernel holds the node's addresses on the host tap.
 */
final class UplinkPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkPort.class);

    private final Path stateDir;
    private final TakenUplink taken;
    private final List<PacketRing> rings;
    /** The VF with uplink.driver = "avf", else null. */
    private final AvfPort vf;
    /** Our view of it; replaced between two dataplanes, never while one runs. */
    private volatile UplinkInterface view;
    private final int mtu;

    private UplinkPort(Path stateDir, TakenUplink taken, List<PacketRing> rings, AvfPort vf, UplinkInterface view) {
        this.stateDir = stateDir;
        this.taken = taken;
        this.rings = rings;
        this.vf = vf;
        this.view = view;
        this.mtu = view.mtu();
    }

    /**
     * The next dataplane numbers its interfaces anew (pods came or went) or sources its tunnels
     * from other addresses: the same rings and host tap, seen under {@code index} and
     * {@code hostIndex}. Call only while no dataplane uses this port.
     */
    void reindex(UplinkSettings settings, int index, int hostIndex) {
        view = view(taken, settings, mtu, index, hostIndex);
    }

    /**
     * Takes the configured uplink over and opens {@code workers} rings on it.
     *
     * @param index     our interface index for the uplink
     * @param hostIndex our interface index for the host tap
     */
    static UplinkPort take(UplinkSettings settings, Path stateDir, int workers, int index, int hostIndex)
            throws IOException {
        String uplink = settings.interfaceName().orElseThrow(() -> new IllegalArgumentException("no uplink configured"));
        if (UplinkTakeover.restore(stateDir)) {
            LOG.info("uplink: restored what a previous run left taken over");
        }
        TakenUplink taken = UplinkTakeover.take(uplink, settings.hostTap(), stateDir);
        List<PacketRing> rings = new ArrayList<>();
        AvfPort vf = null;
        try {
            int mtu = Math.min(settings.mtu(), taken.mtu());
            if (settings.driver() == UplinkDriver.AVF) {
                vf = AvfUplink.open(settings.avf(), taken, mtu, FrameRing.SIZE_DEFAULT);
            } else {
                // One group per process: a second node service on the same kernel (tests) must not join ours.
                int group = (int) (ProcessHandle.current().pid() & 0xFFFF);
                for (int w = 0; w < workers; w++) {
                    rings.add(PacketRing.open(taken.uplinkIndex(),
                            ringConfig(group, settings.offloads(), settings.mtu())));
                }
            }
            if (settings.mtu() != taken.mtu()) {
                LOG.warn("uplink {}: configured mtu {} but the interface has {}; using {}", uplink, settings.mtu(),
                        taken.mtu(), mtu);
            }
            UplinkInterface view = view(taken, settings, mtu, index, hostIndex);
            if (vf != null) {
                LOG.info("{}; AVF VF {} ({} queues asked), driven by worker {}", taken, vf.status().device(),
                        settings.avf().queues(), vf.worker());
            } else {
                LOG.info("{}; {} rings", taken, rings.size());
            }
            return new UplinkPort(stateDir, taken, rings, vf, view);
        } catch (IOException | RuntimeException e) {
            for (PacketRing r : rings) {
                closeQuietly(r, e);
            }
            if (vf != null) {
                closeQuietly(vf, e);
            }
            closeQuietly(taken, e);
            try {
                UplinkTakeover.restore(stateDir);
            } catch (IOException | RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /** Bytes per rx block: 16 frames of 2 KB, or one UDP GSO super-frame of 22 such datagrams. */
    static final int RX_BLOCK = 1 << 15;
    /**
     * Rx blocks: 8 MB per ring. A super-frame fills a block alone, so the ring holds 256 of
     * them, about 5600 datagrams: what a peer sending at full speed puts on the wire while
     * this worker is off the CPU for a few milliseconds (2 MB lost whole super-frames there).
     */
    static final int RX_BLOCKS = 256;

    /**
     * The default rings with offloads (virtio-net headers, UDP GSO both ways) and small rx
     * blocks handed over after 1 ms: the worker's epoll wakes only when the kernel retires a
     * block (full, or at the timeout), so a block's fill time is latency every packet in it
     * waits. 16 frames fill in well under a millisecond at the rates that matter, and the
     * timeout bounds it on a quiet link. Super-frames we send are kept to what such a block
     * holds ({@link PacketRing.Config#superFrameLimit()}), so a peer's ring takes them whole.
     * Without offloads ({@code uplink.offloads = false}) every frame goes alone. Tx frames are
     * sized to the uplink's MTU (jumbo frames get larger ones), or a frame every MTU check
     * passed would be dropped as too long at the last step.
     */
    static PacketRing.Config ringConfig(int group, boolean offloads, int mtu) {
        PacketRing.Config d = PacketRing.Config.defaults(group);
        return new PacketRing.Config(RX_BLOCK, RX_BLOCKS, d.frameSize(), 1, d.txBlockSize(), d.txBlockCount(), group,
                d.qdiscBypass(), offloads).withFrameSize(PacketRing.Config.frameSizeFor(mtu));
    }

    private static UplinkInterface view(TakenUplink taken, UplinkSettings settings, int mtu, int index,
            int hostIndex) {
        List<NetInterface.Ip4Address> ip4 = new ArrayList<>();
        List<NetInterface.Ip6Address> ip6 = new ArrayList<>();
        for (UplinkAddress a : taken.addresses()) {
            ByteBuffer b = ByteBuffer.wrap(a.address().getAddress());
            if (a.isIpv4()) {
                ip4.add(new NetInterface.Ip4Address(b.getInt(), a.prefixLength()));
            } else {
                ip6.add(new NetInterface.Ip6Address(b.getLong(), b.getLong(), a.prefixLength()));
            }
        }
        List<Integer> sources = new ArrayList<>();
        for (IpAddress a : settings.tunnelAddresses()) {
            sources.add((int) a.low());
        }
        return new UplinkInterface(index, taken.uplink(), taken.mac().value(), mtu, ip4, ip6, sources, hostIndex,
                settings.hostTap());
    }

    UplinkInterface view() {
        return view;
    }

    /** The VF, with uplink.driver = "avf". */
    java.util.Optional<AvfPort> vf() {
        return java.util.Optional.ofNullable(vf);
    }

    /** The ring worker {@code w} polls and transmits on. */
    PacketRing ring(int w) {
        return rings.get(w);
    }

    List<PacketRing> rings() {
        return rings;
    }

    int hostTapFd() {
        return taken.hostTapFds()[0];
    }

    /** Closes the rings and the host tap's descriptors, then gives the kernel its interface back. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        if (vf != null) {
            try {
                vf.close();
            } catch (RuntimeException e) {
                failure = new IOException("closing the uplink's VF: " + e.getMessage(), e);
            }
        }
        for (PacketRing r : rings) {
            try {
                r.close();
            } catch (LinuxException e) {
                failure = e;
            }
        }
        try {
            taken.close();
        } catch (LinuxException e) {
            failure = e;
        }
        UplinkTakeover.restore(stateDir);
        LOG.info("uplink {} restored to the kernel", taken.uplink());
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception into) {
        try {
            c.close();
        } catch (Exception e) {
            into.addSuppressed(e);
        }
    }
}
