package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * {@code show neighbours}: the ARP/ND table sorted by interface, family and address; then how
 * many learned entries each interface holds against its share (neighbour.max-per-interface),
 * and how many entries were evicted to make room.
 */
public record NeighboursView(List<NeighbourRow> neighbours, List<DynamicRow> dynamic, long evictions)
        implements OperatorView {

    private static final String PERMANENT = NeighbourTable.State.PERMANENT.name();

    /**
     * @param mac        null while INCOMPLETE
     * @param state      INCOMPLETE, REACHABLE, STALE or PERMANENT
     * @param pinned     a next hop the control plane asked for (a tunnel's underlay), kept out of eviction
     * @param ageSeconds since last confirmed; null for PERMANENT entries, which do not age
     */
    public record NeighbourRow(String address, String mac, String interfaceName, String state, boolean pinned,
                               Double ageSeconds) {}

    /** @param limit neighbour.max-per-interface */
    public record DynamicRow(String interfaceName, int entries, int limit) {}

    /** @param names our interface index to its name */
    public static NeighboursView of(NeighbourTable.Listing listing, IntFunction<String> names) {
        List<NeighbourRow> rows = new ArrayList<>();
        for (NeighbourTable.Entry e : listing.entries()) {
            boolean permanent = e.state() == NeighbourTable.State.PERMANENT;
            rows.add(new NeighbourRow(e.ip6() ? Prefixes.format6(e.hi(), e.lo()) : Prefixes.format4((int) e.lo()),
                    e.state() == NeighbourTable.State.INCOMPLETE ? null : new MacAddress(e.mac()).toString(),
                    names.apply(e.interfaceIndex()), e.state().name(), e.pinned(),
                    permanent ? null : e.ageNanos() / 1e9));
        }
        List<DynamicRow> dynamic = new ArrayList<>();
        int[] perItf = listing.dynamicPerInterface();
        for (int itf = 0; itf < perItf.length; itf++) {
            if (perItf[itf] > 0) {
                dynamic.add(new DynamicRow(names.apply(itf), perItf[itf], listing.perInterface()));
            }
        }
        return new NeighboursView(List.copyOf(rows), List.copyOf(dynamic), listing.evictions());
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-11s %s%n", "Address", "MAC", "Interface", "State", "Age"));
        for (NeighbourRow n : neighbours) {
            // The pin matters only where eviction could take the entry: never for PERMANENT.
            String state = n.state() + (n.pinned() && !n.state().equals(PERMANENT) ? "*" : "");
            sb.append(String.format(Locale.ROOT, "%-40s %-17s %-16s %-11s %s%n", n.address(),
                    n.mac() == null ? "-" : n.mac(), n.interfaceName(), state,
                    n.ageSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1fs", n.ageSeconds())));
        }
        for (DynamicRow d : dynamic) {
            sb.append(String.format(Locale.ROOT, "dynamic on %s: %d of %d%n", d.interfaceName(), d.entries(), d.limit()));
        }
        sb.append(String.format(Locale.ROOT, "evictions: %d%n", evictions));
        return sb.toString();
    }
}
