package dev.cipherlane.avf.model;

import dev.cipherlane.avf.virtchnl.Version;
import dev.cipherlane.net.MacAddress;

/**
 * What the modelled PF gives its VF, and how long the modelled hardware takes.
 *
 * @param queuePairs      queue pairs granted in GET_VF_RESOURCES (at most 16)
 * @param mac             the VF's default MAC address
 * @param resetNanos      how long a VF reset keeps VFGEN_RSTAT at VFR_INPROGRESS
 * @param warningNanos    how long after announcing RESET_IMPENDING the PF resets the VF
 * @param rxBudget        frames taken from the wire per {@link AvfModel#service} call
 * @param txBudget        descriptors fetched per transmit queue per call
 * @param pfVersion       the virtchnl version the PF answers VERSION with (1.1, or 1.0 for an old PF)
 */
public record ModelSettings(String name, int queuePairs, MacAddress mac, long resetNanos, long warningNanos,
                            int rxBudget, int txBudget, Version pfVersion) {
    public static final int RSS_KEY_SIZE = 52;
    public static final int RSS_LUT_SIZE = 64;
    public static final int MAX_VECTORS = 5;
    public static final int MAX_MTU = 9706;
    /** The largest frame a receive queue may be configured for (XL710: 9728 bytes). */
    public static final int MAX_FRAME = 9728;

    public static final ModelSettings DEFAULT = new ModelSettings("avf-model", 4,
            MacAddress.parse("02:a7:f0:00:00:01"), 20_000_000L, 2_000_000L, 256, 1024, Version.V1_1);

    public ModelSettings {
        if (queuePairs < 1 || queuePairs > 16) {
            throw new IllegalArgumentException("queue pairs must be 1..16, got " + queuePairs);
        }
    }

    public ModelSettings withQueuePairs(int n) {
        return new ModelSettings(name, n, mac, resetNanos, warningNanos, rxBudget, txBudget, pfVersion);
    }

    public ModelSettings withBudgets(int rx, int tx) {
        return new ModelSettings(name, queuePairs, mac, resetNanos, warningNanos, rx, tx, pfVersion);
    }

    public ModelSettings withPfVersion(Version v) {
        return new ModelSettings(name, queuePairs, mac, resetNanos, warningNanos, rxBudget, txBudget, v);
    }
}
