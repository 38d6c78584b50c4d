package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.virtchnl.Capabilities;
import dev.cipherlane.avf.virtchnl.VfResource;
import dev.cipherlane.avf.virtchnl.VsiResource;
import dev.cipherlane.net.MacAddress;

/**
 * What the VF works with after GET_VF_RESOURCES: the PF's grant met with the settings.
 *
 * @param queues queue pairs in use: what we asked, what the PF gave, whichever is fewer;
 *               one when the PF lets us configure no RSS
 * @param rss    the PF takes CONFIG_RSS_KEY and CONFIG_RSS_LUT from us
 */
record Grant(VfResource resources, VsiResource vsi, int queues, MacAddress mac, boolean rss) {

    /**
     * @throws IllegalArgumentException saying why the grant cannot be worked with
     */
    static Grant of(VfResource r, AvfSettings settings) {
        VsiResource v = r.sriovVsi();
        if (v == null) {
            throw new IllegalArgumentException("the PF gave the VF no SR-IOV VSI: " + r.vsis());
        }
        if ((r.capabilities() & Capabilities.L2) == 0) {
            throw new IllegalArgumentException("the PF did not grant basic L2 operation (capabilities 0x"
                    + Integer.toHexString(r.capabilities()) + ")");
        }
        int n = Math.min(settings.queues(), Math.min(r.numQueuePairs(), v.numQueuePairs()));
        if (n < 1) {
            throw new IllegalArgumentException("the PF gave the VF no queue pairs");
        }
        boolean rss = (r.capabilities() & Capabilities.RSS_BY_MESSAGE) != 0;
        if (rss) {
            int keyLength = settings.rssKeyOrDefault().length;
            if (keyLength != r.rssKeySize()) {
                throw new IllegalArgumentException("the PF's RSS key is " + r.rssKeySize()
                        + " bytes; the settings give " + keyLength);
            }
            byte[] lut = settings.rssLut();
            if (lut != null && lut.length != r.rssLutSize()) {
                throw new IllegalArgumentException("the PF's RSS LUT has " + r.rssLutSize()
                        + " entries; the settings give " + lut.length);
            }
            if (lut != null) {
                for (byte e : lut) {
                    if ((e & 0xFF) >= n) {
                        throw new IllegalArgumentException("the RSS LUT names queue " + (e & 0xFF) + " of " + n);
                    }
                }
            }
        } else {
            n = 1; // without RSS every frame arrives on queue 0
        }
        MacAddress mac = settings.mac() != null ? settings.mac() : v.defaultMac();
        return new Grant(r, v, n, mac, rss);
    }

    int vsiId() {
        return vsi.vsiId();
    }

    /** The queues in use as a virtchnl bitmap. */
    int queueMask() {
        return (1 << queues) - 1;
    }
}
