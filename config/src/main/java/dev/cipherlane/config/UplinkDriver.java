package dev.cipherlane.config;

import java.util.Arrays;
import java.util.Optional;

/** uplink.driver: how frames reach the uplink. */
public enum UplinkDriver {
    /** TPACKET_V3 rings on the kernel interface, one per worker (io-afpacket). */
    AFPACKET("afpacket"),
    /** Our own Intel AVF VF driver (io-avf), on the VF through VFIO or on the software model. */
    AVF("avf");

    private final String text;

    UplinkDriver(String text) {
        this.text = text;
    }

    /** As written in a config file. */
    public String text() {
        return text;
    }

    public static Optional<UplinkDriver> parse(String text) {
        return Arrays.stream(values()).filter(d -> d.text.equals(text)).findFirst();
    }

    @Override
    public String toString() {
        return text;
    }
}
