package dev.cipherlane.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * uplink.avf: the Intel AVF virtual function the node drives itself when uplink.driver is
 * "avf".
 *
 * @param device   "model" for the software model of a VF running on uplink.interface through
 *                 a packet socket (the testbed's way), or the VF's PCI address
 *                 (domain:bus:device.function, like 0000:3b:02.0) for the VF itself through VFIO
 * @param queues   queue pairs asked of the PF, 1..16 (it may grant fewer); one worker drives them all
 * @param ringSize descriptors per receive and transmit ring: a multiple of 32 in 64..4096
 *                 (the receive ring's length must be a multiple of 32, AVF 1.0 section 7.1)
 */
public record AvfUplinkSettings(String device, int queues, int ringSize) {
    public static final String MODEL = "model";
    public static final int MIN_QUEUES = 1;
    public static final int MAX_QUEUES = 16;
    public static final int MIN_RING = 64;
    public static final int MAX_RING = 4096;
    private static final Pattern PCI = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    /** reference.conf's uplink.avf. */
    public static final AvfUplinkSettings DEFAULTS = new AvfUplinkSettings(MODEL, 1, 512);

    public static final String DEVICE_EXPECTED =
            "\"model\" or a PCI address like 0000:3b:02.0 (lowercase hex domain:bus:device.function)";
    public static final String RING_EXPECTED = "a multiple of 32 in " + MIN_RING + ".." + MAX_RING;

    public AvfUplinkSettings {
        Objects.requireNonNull(device, "device");
        if (!isValidDevice(device)) {
            throw new IllegalArgumentException("uplink.avf.device: expected " + DEVICE_EXPECTED + ", got " + device);
        }
        Bounds.check("uplink.avf.queues", queues, MIN_QUEUES, MAX_QUEUES);
        if (!isValidRingSize(ringSize)) {
            throw new IllegalArgumentException("uplink.avf.ring-size: expected " + RING_EXPECTED + ", got " + ringSize);
        }
    }

    public static boolean isValidDevice(String device) {
        return MODEL.equals(device) || PCI.matcher(device).matches();
    }

    public static boolean isValidRingSize(int size) {
        return size >= MIN_RING && size <= MAX_RING && size % 32 == 0;
    }

    /** Whether the VF is the software model rather than hardware. */
    public boolean model() {
        return MODEL.equals(device);
    }
}
