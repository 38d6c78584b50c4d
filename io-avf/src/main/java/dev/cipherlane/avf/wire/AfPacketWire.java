package dev.cipherlane.avf.wire;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.afpacket.UdpGso;
import dev.cipherlane.avf.model.Wire;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The model's port on a real Linux interface: one {@link PacketRing} (TPACKET_V3, no fanout,
 * virtio-net headers on) that the model receives from and sends into, so a node can run on
 * the model over a veth of the testbed.
 *
 * <p>A NIC's wire carries plain Ethernet frames, so what the kernel hands the ring is turned
 * back into such frames before the model sees it: a UDP GSO super-frame (a veth peer that
 * sent one whole) is cut into its datagrams, one per {@link #receive} ({@link UdpGso}, as
 * the kernel would cut it); a checksum the sending host left partial (CHECKSUM_PARTIAL over
 * a veth) is completed (RFC 1071), as the peer's NIC would have; an 802.1Q tag the kernel
 * took out is put back after the MAC addresses. Other GSO super-frames (TCP) cannot be
 * frames on a wire of this MTU: they are dropped and counted, as are frames longer than the
 * caller's segment or truncated by the ring.
 *
 * <p>Sending copies the frame into the next tx frame with an empty virtio-net header;
 * {@link #flush} kicks the ring once for all of them. A full tx ring drops and counts.
 * Nothing here allocates. Used by one thread: the one servicing the model.
 */
public final class AfPacketWire implements Wire {
    private final PacketRing ring;
    private final MemorySegment memory;
    private boolean pending;

    // A UDP GSO super-frame being cut: its frame's offset in the ring (-1: none), where its
    // payload starts, the segment size, its payload bytes, the next segment's position.
    private long cutFrom = -1;
    private int cutPayloadOffset;
    private int cutSegment;
    private int cutTotal;
    private int cutPosition;
    private int cutIndex;

    private long received;
    private long sent;
    private long superFramesCut;
    private long checksumsCompleted;
    private long dropped;
    private long txRingFull;
    private long kickErrors;

    public AfPacketWire(PacketRing ring) {
        if (!ring.offloads()) {
            throw new IllegalArgumentException("the AVF model's wire needs a ring with virtio-net headers: " + ring);
        }
        this.ring = ring;
        this.memory = ring.memory();
    }

    public PacketRing ring() {
        return ring;
    }

    @Override
    public int receive(MemorySegment into) {
        if (cutFrom >= 0) {
            return nextSegment(into);
        }
        while (true) {
            long h = ring.rxNext();
            if (h < 0) {
                return -1;
            }
            if (ring.rxOutgoing(h)) {
                ring.rxRelease();
                continue;
            }
            long from = ring.rxFrame(h);
            int snap = ring.rxSnapLength(h);
            int wire = ring.rxWireLength(h);
            long vnet = from - VirtioNetHeader.LEGACY_SIZE;
            int gso = VirtioNetHeader.gsoType(memory, vnet) & ~VirtioNetHeader.GSO_ECN;
            int tag = ring.rxVlanTci(h);
            if (gso == VirtioNetHeader.GSO_UDP_L4 && snap == wire && tag < 0) {
                int payloadOffset = UdpGso.superFramePayload(memory, from, snap);
                int segment = VirtioNetHeader.gsoSize(memory, vnet);
                if (payloadOffset < 0 || segment <= 0 || snap <= payloadOffset) {
                    dropped++;
                    ring.rxRelease();
                    continue;
                }
                cutFrom = from;
                cutPayloadOffset = payloadOffset;
                cutSegment = segment;
                cutTotal = snap - payloadOffset;
                cutPosition = 0;
                cutIndex = 0;
                superFramesCut++;
                return nextSegment(into);
            }
            int length = tag < 0 ? snap : snap + Ethernet.VLAN_TAG_LENGTH;
            if (gso != VirtioNetHeader.GSO_NONE || snap < wire || length > into.byteSize()
                    || snap < Ethernet.HEADER_LENGTH) {
                dropped++;
                ring.rxRelease();
                continue;
            }
            if (tag < 0) {
                MemorySegment.copy(memory, from, into, 0, snap);
            } else {
                int macs = Ethernet.ETHERTYPE;
                MemorySegment.copy(memory, from, into, 0, macs);
                into.set(Net.U16, macs, (short) ring.rxVlanTpid(h));
                into.set(Net.U16, macs + 2, (short) tag);
                MemorySegment.copy(memory, from + macs, into, macs + Ethernet.VLAN_TAG_LENGTH, snap - macs);
            }
            if ((VirtioNetHeader.flags(memory, vnet) & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
                int start = VirtioNetHeader.csumStart(memory, vnet) + (tag < 0 ? 0 : Ethernet.VLAN_TAG_LENGTH);
                int field = start + VirtioNetHeader.csumOffset(memory, vnet);
                if (field + 2 > length) {
                    dropped++;
                    ring.rxRelease();
                    continue;
                }
                completeChecksum(into, start, field, length);
            }
            ring.rxRelease();
            received++;
            return length;
        }
    }

    /**
     * Linux's CHECKSUM_PARTIAL: the field holds the pseudo-header sum, and the one's
     * complement of the sum from {@code start} to the end, field included, goes in it
     * (skb_checksum_help).
     */
    private void completeChecksum(MemorySegment frame, int start, int field, int length) {
        int checksum = ~Checksum.fold(Checksum.sum(frame, start, length - start, 0)) & 0xFFFF;
        // A computed 0 goes as 0xFFFF: UDP reserves 0 for "no checksum" (RFC 768).
        frame.set(Net.U16, field, (short) (checksum == 0 ? 0xFFFF : checksum));
        checksumsCompleted++;
    }

    /** The next datagram of the super-frame being cut; its ring slot goes back after the last. */
    private int nextSegment(MemorySegment into) {
        int payload = Math.min(cutSegment, cutTotal - cutPosition);
        int length = cutPayloadOffset + payload;
        int index = cutIndex;
        long payloadAt = cutFrom + cutPayloadOffset + cutPosition;
        cutPosition += cutSegment;
        cutIndex++;
        boolean last = cutPosition >= cutTotal;
        boolean fits = length <= into.byteSize();
        if (fits) {
            MemorySegment.copy(memory, cutFrom, into, 0, cutPayloadOffset);
            MemorySegment.copy(memory, payloadAt, into, cutPayloadOffset, payload);
            UdpGso.finishSegment(into, 0, cutPayloadOffset, index, payload);
        }
        if (last) {
            cutFrom = -1;
            ring.rxRelease();
        }
        if (!fits) {
            dropped++;
            return last ? receive(into) : nextSegment(into);
        }
        received++;
        return length;
    }

    @Override
    public void transmit(MemorySegment from, int length) {
        if (length > ring.txCapacity()) {
            dropped++;
            return;
        }
        long slot = ring.txNext();
        if (slot < 0) {
            txRingFull++;
            return;
        }
        // An empty header (10 bytes): a plain frame, nothing for the kernel to finish.
        long header = slot + PacketRing.txHeaderOffset();
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, header, 0L);
        memory.set(ValueLayout.JAVA_SHORT_UNALIGNED, header + 8, (short) 0);
        MemorySegment.copy(from, 0, memory, slot + ring.txPacketOffset(), length);
        ring.txSubmit(slot, length);
        pending = true;
        sent++;
    }

    /** One {@code send(2)} for every frame queued since the last. */
    @Override
    public void flush() {
        if (!pending) {
            return;
        }
        pending = false;
        try {
            ring.txKick();
        } catch (LinuxException e) {
            kickErrors++;
        }
    }

    /** Counters: frames given to the model, frames sent, and what was cut, completed or lost. */
    public Counters counters() {
        return new Counters(received, sent, superFramesCut, checksumsCompleted, dropped, txRingFull, kickErrors);
    }

    public record Counters(long received, long sent, long superFramesCut, long checksumsCompleted, long dropped,
                           long txRingFull, long kickErrors) {}

    /** Closes the ring. */
    @Override
    public void close() {
        try {
            ring.close();
        } catch (LinuxException e) {
            throw new IllegalStateException("closing " + ring + ": " + e.getMessage(), e);
        }
    }
}
