package dev.cipherlane.stages.neighbour;

import dev.cipherlane.stages.fib.Ip4Prefix;
import dev.cipherlane.stages.fib.Prefixes;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 addresses we answer ARP for on an interface without owning them (proxy ARP, RFC 1027):
 * per interface, a list of inclusive address ranges. A pod tap gets the pod's gateway (a
 * link-local address no interface owns, as Calico/VPP does), so the pod's default route
 * resolves to our MAC and every packet it sends comes to the dataplane.
 *
 * <p>Immutable: the control plane builds a new set and swaps it in with the ARP stage's
 * {@code reconfig}. A worker's check is a scan of one interface's few ranges.
 */
public final class ProxySet {
    public static final ProxySet EMPTY = new ProxySet(new int[0][]);

    /** Per interface index: first0, last0, first1, last1, ... (compared unsigned). */
    private final int[][] ranges;

    private ProxySet(int[][] ranges) {
        this.ranges = ranges;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether we answer ARP requests for {@code address} received on {@code interfaceIndex}. */
    public boolean answers(int interfaceIndex, int address) {
        if (interfaceIndex < 0 || interfaceIndex >= ranges.length) {
            return false;
        }
        int[] r = ranges[interfaceIndex];
        if (r == null) {
            return false;
        }
        for (int i = 0; i < r.length; i += 2) {
            if (Integer.compareUnsigned(address, r[i]) >= 0 && Integer.compareUnsigned(address, r[i + 1]) <= 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int itf = 0; itf < ranges.length; itf++) {
            int[] r = ranges[itf];
            for (int i = 0; r != null && i < r.length; i += 2) {
                sb.append("if").append(itf).append(' ').append(Prefixes.format4(r[i]))
                        .append(" - ").append(Prefixes.format4(r[i + 1])).append('\n');
            }
        }
        return sb.toString();
    }

    /** Collects ranges per interface; control path only. */
    public static final class Builder {
        private final List<List<int[]>> byInterface = new ArrayList<>();

        /** Answers for every address of {@code prefix} on {@code interfaceIndex}. */
        public Builder add(int interfaceIndex, Ip4Prefix prefix) {
            return addRange(interfaceIndex, prefix.first(), prefix.last());
        }

        /** Answers for {@code first..last} inclusive (unsigned order) on {@code interfaceIndex}. */
        public Builder addRange(int interfaceIndex, int first, int last) {
            if (interfaceIndex < 0) {
                throw new IllegalArgumentException("interface index must be >= 0, got " + interfaceIndex);
            }
            if (Integer.compareUnsigned(first, last) > 0) {
                throw new IllegalArgumentException("proxy ARP range " + Prefixes.format4(first) + " - "
                        + Prefixes.format4(last) + " is empty");
            }
            while (byInterface.size() <= interfaceIndex) {
                byInterface.add(null);
            }
            if (byInterface.get(interfaceIndex) == null) {
                byInterface.set(interfaceIndex, new ArrayList<>());
            }
            byInterface.get(interfaceIndex).add(new int[] {first, last});
            return this;
        }

        public ProxySet build() {
            int[][] ranges = new int[byInterface.size()][];
            for (int itf = 0; itf < ranges.length; itf++) {
                List<int[]> list = byInterface.get(itf);
                if (list == null) {
                    continue;
                }
                int[] flat = new int[2 * list.size()];
                for (int i = 0; i < list.size(); i++) {
                    flat[2 * i] = list.get(i)[0];
                    flat[2 * i + 1] = list.get(i)[1];
                }
                ranges[itf] = flat;
            }
            return ranges.length == 0 ? EMPTY : new ProxySet(ranges);
        }
    }
}
