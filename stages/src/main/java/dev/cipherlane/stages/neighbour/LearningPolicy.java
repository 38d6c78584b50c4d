package dev.cipherlane.stages.neighbour;

import dev.cipherlane.stages.fib.Prefixes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which ARP/ND senders an interface may teach the {@link NeighbourTable}: the addresses a
 * host on that link can have. A pod's tap carries only that pod, so only the pod's own
 * addresses; the uplink only hosts inside its subnets. A sender outside is still answered
 * where RFC 826 and RFC 4861 section 7.2.4 say to (an answer creates no state), but never
 * learned, so a flood of made-up senders cannot fill the table. An interface the policy does
 * not name learns nothing.
 *
 * <p>Immutable, built by the control side; {@code arp-input} and {@code ip6-nd-input} ask
 * it once per learned sender, a loop over the interface's few prefixes, no allocation.
 */
public final class LearningPolicy {
    /** Learns every sender on every interface: for tests and labs without a node's facts. */
    public static final LearningPolicy ANY = new LearningPolicy(null, null, null, null, null);

    private final int[][] nets4;
    private final int[][] masks4;
    private final long[][] nets6;
    private final int[][] lengths6;
    private final String[] shown;

    private LearningPolicy(int[][] nets4, int[][] masks4, long[][] nets6, int[][] lengths6, String[] shown) {
        this.nets4 = nets4;
        this.masks4 = masks4;
        this.nets6 = nets6;
        this.lengths6 = lengths6;
        this.shown = shown;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code address} may be learned as a sender on {@code interfaceIndex}. */
    public boolean allows4(int interfaceIndex, int address) {
        if (nets4 == null) {
            return true;
        }
        if (interfaceIndex < 0 || interfaceIndex >= nets4.length || nets4[interfaceIndex] == null) {
            return false;
        }
        int[] nets = nets4[interfaceIndex];
        int[] masks = masks4[interfaceIndex];
        for (int i = 0; i < nets.length; i++) {
            if ((address & masks[i]) == nets[i]) {
                return true;
            }
        }
        return false;
    }

    public boolean allows6(int interfaceIndex, long hi, long lo) {
        if (nets6 == null) {
            return true;
        }
        if (interfaceIndex < 0 || interfaceIndex >= nets6.length || nets6[interfaceIndex] == null) {
            return false;
        }
        long[] nets = nets6[interfaceIndex];
        int[] lengths = lengths6[interfaceIndex];
        for (int i = 0; i < lengths.length; i++) {
            int length = lengths[i];
            if ((hi & Prefixes.mask6Hi(length)) == nets[2 * i] && (lo & Prefixes.mask6Lo(length)) == nets[2 * i + 1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return shown == null ? "learn any sender" : String.join(", ", Arrays.stream(shown).filter(s -> s != null)
                .toList());
    }

    /** Collects each interface's prefixes; an interface with none learns nothing. */
    public static final class Builder {
        private final List<List<int[]>> v4 = new ArrayList<>();
        private final List<List<long[]>> v6 = new ArrayList<>();

        private Builder() {}

        /** Senders inside {@code address}/{@code prefixLength} may be learned on the interface. */
        public Builder allow4(int interfaceIndex, int address, int prefixLength) {
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("ipv4 prefix length " + prefixLength + " not in 0..32");
            }
            int mask = Prefixes.mask4(prefixLength);
            at(v4, interfaceIndex).add(new int[] {address & mask, mask});
            at(v6, interfaceIndex);
            return this;
        }

        public Builder allow6(int interfaceIndex, long hi, long lo, int prefixLength) {
            if (prefixLength < 0 || prefixLength > 128) {
                throw new IllegalArgumentException("ipv6 prefix length " + prefixLength + " not in 0..128");
            }
            at(v6, interfaceIndex).add(new long[] {hi & Prefixes.mask6Hi(prefixLength),
                    lo & Prefixes.mask6Lo(prefixLength), prefixLength});
            at(v4, interfaceIndex);
            return this;
        }

        private static <T> List<T> at(List<List<T>> byInterface, int interfaceIndex) {
            if (interfaceIndex < 0) {
                throw new IllegalArgumentException("interface index out of range: " + interfaceIndex);
            }
            while (byInterface.size() <= interfaceIndex) {
                byInterface.add(null);
            }
            if (byInterface.get(interfaceIndex) == null) {
                byInterface.set(interfaceIndex, new ArrayList<>());
            }
            return byInterface.get(interfaceIndex);
        }

        public LearningPolicy build() {
            int n = Math.max(v4.size(), v6.size());
            int[][] nets4 = new int[n][];
            int[][] masks4 = new int[n][];
            long[][] nets6 = new long[n][];
            int[][] lengths6 = new int[n][];
            String[] shown = new String[n];
            for (int itf = 0; itf < n; itf++) {
                List<int[]> four = itf < v4.size() ? v4.get(itf) : null;
                List<long[]> six = itf < v6.size() ? v6.get(itf) : null;
                if (four == null && six == null) {
                    continue;
                }
                List<String> prefixes = new ArrayList<>();
                nets4[itf] = new int[four.size()];
                masks4[itf] = new int[four.size()];
                for (int i = 0; i < four.size(); i++) {
                    nets4[itf][i] = four.get(i)[0];
                    masks4[itf][i] = four.get(i)[1];
                    prefixes.add(Prefixes.format4(nets4[itf][i]) + "/" + Integer.bitCount(masks4[itf][i]));
                }
                nets6[itf] = new long[2 * six.size()];
                lengths6[itf] = new int[six.size()];
                for (int i = 0; i < six.size(); i++) {
                    long[] p = six.get(i);
                    nets6[itf][2 * i] = p[0];
                    nets6[itf][2 * i + 1] = p[1];
                    lengths6[itf][i] = (int) p[2];
                    prefixes.add(Prefixes.format6(p[0], p[1]) + "/" + p[2]);
                }
                shown[itf] = "if" + itf + " " + String.join(" ", prefixes);
            }
            return new LearningPolicy(nets4, masks4, nets6, lengths6, shown);
        }
    }
}
