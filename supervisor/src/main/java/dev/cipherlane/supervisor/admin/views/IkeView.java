package dev.cipherlane.supervisor.admin.views;

import java.util.List;
import java.util.Locale;

/**
 * {@code show ike}: one row per tunnel whose keys IKEv2 negotiates (RFC 7296): its role,
 * state, the current IKE SA's SPIs and proposal, its CHILD SAs, rekeys and retransmissions,
 * and what happened last. Empty with static keys. Never a key.
 *
 * @param role   "initiator" (the larger address) or "responder"
 * @param state  "established", "negotiating", "waiting" (a responder before the peer starts) or
 *               "waiting to retry" (an initiator between attempts)
 */
public record IkeView(List<IkeRow> tunnels) implements OperatorView {

    public record IkeRow(String tunnel, String role, String state, String initiatorSpi, String responderSpi,
            String proposal, int childSas, long ikeRekeys, long retransmissions, String lastEvent) {}

    public IkeView {
        tunnels = List.copyOf(tunnels);
    }

    public static String spi(long spi) {
        return String.format(Locale.ROOT, "%016x", spi);
    }

    @Override
    public String text() {
        if (tunnels.isEmpty()) {
            return "no IKE: ipsec.keys is \"static\"\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %-9s %-16s %-33s %-5s %7s %8s  %s%n",
                "Tunnel", "Role", "State", "IKE SPIs (i r)", "Child", "Rekeys", "Retrans", "Proposal; last"));
        for (IkeRow r : tunnels) {
            sb.append(String.format(Locale.ROOT, "%-12s %-9s %-16s %-33s %-5d %7d %8d  %s; %s%n", r.tunnel(), r.role(),
                    r.state(), r.initiatorSpi() + " " + r.responderSpi(), r.childSas(), r.ikeRekeys(), r.retransmissions(),
                    r.proposal().isEmpty() ? "-" : r.proposal(), r.lastEvent().isEmpty() ? "-" : r.lastEvent()));
        }
        return sb.toString();
    }
}
