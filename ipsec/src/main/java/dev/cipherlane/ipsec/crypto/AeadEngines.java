package dev.cipherlane.ipsec.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Engines by the name the configuration uses. Engines are per thread, so a dataplane with N
 * workers makes N of them up front with {@link #perWorker} and hands worker {@code i} the
 * {@code i}-th; nothing is created on the packet path.
 */
public final class AeadEngines {
    private AeadEngines() {}

    public static final String NAME = "cipherlane.ipsec.crypto-engine";
    /** The JDK's intrinsic AES-GCM: fastest here and needs nothing outside the JDK. */
    public static final String DEFAULT = JdkAesGcm.NAME;
    public static final List<String> NAMES = List.of(JdkAesGcm.NAME, BouncyCastleAesGcm.NAME);

    /** A new engine; {@code name} is one of {@link #NAMES} (case-insensitive). */
    public static AeadEngine create(String name) {
        String n = validate(name);
        return n.equals(JdkAesGcm.NAME) ? new JdkAesGcm() : new BouncyCastleAesGcm();
    }

    /** One engine per worker, index = worker index. */
    public static List<AeadEngine> perWorker(String name, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("crypto engines: at least one worker, got " + workers);
        }
        String n = validate(name);
        List<AeadEngine> engines = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            engines.add(create(n));
        }
        return List.copyOf(engines);
    }

    /** The canonical name, or IllegalArgumentException naming the valid ones. */
    public static String validate(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException(NAME + ": expected one of " + NAMES + ", got '" + name + "'");
        }
        return n;
    }
}
