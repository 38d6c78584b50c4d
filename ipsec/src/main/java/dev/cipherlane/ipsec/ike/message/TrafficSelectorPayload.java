package dev.cipherlane.ipsec.ike.message;

import java.util.ArrayList;
import java.util.List;

/** A Traffic Selector payload, TSi or TSr (RFC 7296 section 3.13). */
public record TrafficSelectorPayload(Side side, List<TrafficSelector> selectors) implements Payload {
    public TrafficSelectorPayload {
        if (side == null) {
            throw new IllegalArgumentException("side is required");
        }
        selectors = List.copyOf(selectors);
        if (selectors.isEmpty() || selectors.size() > 255) {
            throw new IllegalArgumentException(selectors.size() + " traffic selectors, must be 1..255");
        }
    }

    public static TrafficSelectorPayload of(Side side, TrafficSelector... selectors) {
        return new TrafficSelectorPayload(side, List.of(selectors));
    }

    @Override
    public int type() {
        return side == Side.INITIATOR ? PayloadType.TSI : PayloadType.TSR;
    }

    static TrafficSelectorPayload readBody(Side side, WireReader body) {
        String where = side == Side.INITIATOR ? "TSi payload" : "TSr payload";
        int count = body.u8(where + " selector count");
        body.skip(3, where + " reserved field");
        if (count == 0) {
            throw new Malformation(where + " declares no traffic selectors");
        }
        List<TrafficSelector> selectors = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            if (body.atEnd()) {
                throw new Malformation(where + " declares " + count + " traffic selectors but holds " + (i - 1));
            }
            selectors.add(TrafficSelector.read(body, where + " selector " + i));
        }
        if (!body.atEnd()) {
            throw new Malformation(where + " has " + body.remaining() + " bytes after its " + count
                    + " traffic selectors");
        }
        return Malformation.build(where, () -> new TrafficSelectorPayload(side, selectors));
    }

    void writeBody(WireWriter out) {
        out.u8(selectors.size()).zeros(3);
        for (TrafficSelector ts : selectors) {
            ts.write(out);
        }
    }
}
