package dev.cipherlane.avf.virtchnl;

import dev.cipherlane.net.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ADD_ETH_ADDR and DEL_ETH_ADDR ({@code virtchnl_ether_addr_list}): vsi_id, num_elements
 * (u16), then that many entries of a MAC (6 bytes), a type (u8) and a pad byte:
 * 4 + 8 * n bytes.
 */
public record EtherAddressList(int vsiId, List<Entry> addresses) implements VirtchnlMessage {
    public static final int FIXED_SIZE = 4;
    public static final int ENTRY_SIZE = 8;

    /** Type 0: the PF decides; 1: the VF's primary address; 2: an extra filter. */
    public static final int TYPE_LEGACY = 0;
    public static final int TYPE_PRIMARY = 1;
    public static final int TYPE_EXTRA = 2;

    public record Entry(MacAddress mac, int type) {}

    public EtherAddressList {
        addresses = List.copyOf(addresses);
    }

    public static EtherAddressList of(int vsiId, MacAddress mac) {
        return new EtherAddressList(vsiId, List.of(new Entry(mac, TYPE_LEGACY)));
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Codec.writer(FIXED_SIZE + ENTRY_SIZE * addresses.size());
        b.putShort((short) vsiId).putShort((short) addresses.size());
        for (Entry e : addresses) {
            Codec.mac(b, e.mac.value());
            b.put((byte) e.type).put((byte) 0);
        }
        return b.array();
    }

    public static EtherAddressList decode(VirtchnlOp op, byte[] m) {
        VirtchnlFormatException.expectAtLeast(op, m, FIXED_SIZE);
        ByteBuffer b = Codec.reader(m);
        int vsi = Codec.u16(b);
        int n = Codec.u16(b);
        VirtchnlFormatException.expectLength(op, m, FIXED_SIZE + ENTRY_SIZE * n);
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            MacAddress mac = new MacAddress(Codec.mac(b));
            int type = Codec.u8(b);
            b.get();
            entries.add(new Entry(mac, type));
        }
        return new EtherAddressList(vsi, entries);
    }
}
