package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.IdPayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.PayloadChain;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Finding payloads in a decrypted chain, and the fixed-width numbers they carry. */
final class Payloads {
    private Payloads() {}

    static <T extends Payload> Optional<T> first(List<Payload> p, Class<T> kind) {
        return p.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    static <T extends Payload> List<T> all(List<Payload> p, Class<T> kind) {
        return p.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static Optional<NotifyPayload> notifyOf(List<Payload> p, int type) {
        return all(p, NotifyPayload.class).stream().filter(n -> n.notifyType() == type).findFirst();
    }

    /** The first error notify (types below 16384, section 3.10.1). */
    static Optional<NotifyPayload> firstError(List<Payload> p) {
        return all(p, NotifyPayload.class).stream().filter(NotifyPayload::isError).findFirst();
    }

    static Optional<TrafficSelectorPayload> selectors(List<Payload> p, Side side) {
        return all(p, TrafficSelectorPayload.class).stream().filter(t -> t.side() == side).findFirst();
    }

    /** RestOfInitIDPayload / RestOfRespIDPayload (section 2.15): the ID payload without its generic header. */
    static byte[] restOfId(IdPayload id) {
        byte[] b = PayloadChain.encode(List.of(id));
        return Arrays.copyOfRange(b, 4, b.length);
    }

    static byte[] be64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long u64(Octets o) {
        return ByteBuffer.wrap(o.toByteArray()).getLong();
    }

    static int u32(Octets o) {
        return ByteBuffer.wrap(o.toByteArray()).getInt();
    }

    static Octets u16(int v) {
        return Octets.of((byte) (v >>> 8), (byte) v);
    }

    static int u16(Octets o) {
        return (o.get(0) & 0xFF) << 8 | o.get(1) & 0xFF;
    }
}
