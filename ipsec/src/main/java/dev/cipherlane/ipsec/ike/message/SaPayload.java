package dev.cipherlane.ipsec.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * The Security Association payload (RFC 7296 section 3.3): proposals in order of preference
 * in a request, the single chosen one in a response.
 */
public record SaPayload(List<Proposal> proposals) implements Payload {
    public SaPayload {
        proposals = List.copyOf(proposals);
        if (proposals.isEmpty()) {
            throw new IllegalArgumentException("an SA payload needs at least one proposal");
        }
        // Section 3.3.1: numbered from 1, each one more than the previous. A response holds
        // one proposal with the number of the one chosen, so only lists are checked.
        if (proposals.size() > 1) {
            for (int i = 0; i < proposals.size(); i++) {
                if (proposals.get(i).number() != i + 1) {
                    throw new IllegalArgumentException("proposal " + (i + 1) + " is numbered "
                            + proposals.get(i).number() + " (section 3.3.1: 1, 2, 3, ...)");
                }
            }
        }
    }

    public static SaPayload of(Proposal... proposals) {
        return new SaPayload(List.of(proposals));
    }

    @Override
    public int type() {
        return PayloadType.SA;
    }

    static SaPayload readBody(WireReader body) {
        if (body.atEnd()) {
            throw new Malformation("SA payload has no proposals");
        }
        List<Proposal> proposals = new ArrayList<>();
        while (!body.atEnd()) {
            proposals.add(Proposal.read(body, "SA proposal " + (proposals.size() + 1)));
        }
        return Malformation.build("SA payload", () -> new SaPayload(proposals));
    }

    void writeBody(WireWriter out) {
        for (int i = 0; i < proposals.size(); i++) {
            proposals.get(i).write(out, i == proposals.size() - 1);
        }
    }
}
