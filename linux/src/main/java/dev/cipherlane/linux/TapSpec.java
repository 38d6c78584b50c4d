package dev.cipherlane.linux;

/**
 * How to open a tap: its name, how many queues, the virtio-net header and offloads, and
 * whether it outlives the process. {@link #pod(String, int)} is what DESIGN.md asks of pod
 * and host taps.
 *
 * @param name            interface name, 1-15 bytes
 * @param queues          descriptors to attach, 1..{@value #MAX_QUEUES}
 * @param vnetHeaderSize  10 or 12 (see {@link Tun#setVnetHeaderSize})
 * @param offloads        TUN_F_* flags for TUNSETOFFLOAD
 * @param persistent      TUNSETPERSIST: the interface stays when the descriptors close
 */
public record TapSpec(String name, int queues, int vnetHeaderSize, int offloads, boolean persistent) {
    /** MAX_TAP_QUEUES in drivers/net/tun.c. */
    public static final int MAX_QUEUES = 256;

    /** virtio_net_hdr_mrg_rxbuf: the virtio 1.0 header, num_buffers included. */
    public static final int DEFAULT_VNET_HEADER_SIZE = VirtioNetHeader.SIZE;
    /** Checksum and TCP segmentation offload, so the kernel hands us 64 KB TCP super-packets. */
    public static final int DEFAULT_OFFLOADS = Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6;

    public TapSpec {
        IfReq.checkName(name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tap needs a name");
        }
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ", got " + queues);
        }
        if (vnetHeaderSize != VirtioNetHeader.LEGACY_SIZE && vnetHeaderSize != VirtioNetHeader.SIZE) {
            throw new IllegalArgumentException("vnetHeaderSize must be " + VirtioNetHeader.LEGACY_SIZE
                    + " or " + VirtioNetHeader.SIZE + ", got " + vnetHeaderSize);
        }
        int known = Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6 | Tun.TUN_F_TSO_ECN | Tun.TUN_F_UFO
                | Tun.TUN_F_USO4 | Tun.TUN_F_USO6;
        if ((offloads & ~known) != 0) {
            throw new IllegalArgumentException("offloads has unknown TUN_F_* bits 0x"
                    + Integer.toHexString(offloads & ~known));
        }
        if ((offloads & ~Tun.TUN_F_CSUM) != 0 && (offloads & Tun.TUN_F_CSUM) == 0) {
            // set_offload() in drivers/net/tun.c only looks at the others under TUN_F_CSUM.
            throw new IllegalArgumentException("offloads: segmentation offloads need TUN_F_CSUM");
        }
    }

    /** A persistent multi-queue tap with a 12-byte virtio-net header and checksum/TSO offloads. */
    public static TapSpec pod(String name, int queues) {
        return new TapSpec(name, queues, DEFAULT_VNET_HEADER_SIZE, DEFAULT_OFFLOADS, true);
    }

    /** The TUNSETIFF flags every queue attaches with. */
    public int flags() {
        return Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR | Tun.IFF_MULTI_QUEUE;
    }
}
