package dev.cipherlane.ipsec.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Engines by the name the configuration uses. Engines are per thread, so a dataplane with N
 * workers makes N of them up front with {@link #perWorker} and hands worker {@code i} the
 * {@code i}-th; nothing is created on the packet path.
 *
 * <p>{@code auto} (the default) is not an engine but a rule, applied once by {@link #resolve}:
 * ipsec-mb when the library loaded and passed its self-test ({@link IpsecMbStatus}), else the
 * JDK's. Asking for {@code ipsec-mb} by name when it is unavailable is an error, never a
 * silent fallback: whoever wrote it expects its speed and no allocation per packet.
 */
public final class AeadEngines {
    private AeadEngines() {}

    public static final String NAME = "cipherlane.ipsec.crypto-engine";
    public static final String AUTO = "auto";
    public static final String DEFAULT = AUTO;
    /** The concrete engines. */
    public static final List<String> ENGINES = List.of(JdkAesGcm.NAME, BouncyCastleAesGcm.NAME, IpsecMbAesGcm.NAME);
    /** What a configuration may name: {@link #AUTO} or an engine. */
    public static final List<String> NAMES = List.of(AUTO, JdkAesGcm.NAME, BouncyCastleAesGcm.NAME, IpsecMbAesGcm.NAME);

    /** {@code name} resolved against this process's ipsec-mb. */
    public static EngineChoice resolve(String name) {
        return resolve(name, IpsecMbAesGcm.status());
    }

    /**
     * {@code name} resolved against {@code ipsecMb}.
     *
     * @throws IllegalStateException when {@code name} is {@code ipsec-mb} and it is unavailable
     */
    public static EngineChoice resolve(String name, IpsecMbStatus ipsecMb) {
        String n = validate(name);
        return switch (n) {
            case AUTO -> ipsecMb.available()
                    ? new EngineChoice(IpsecMbAesGcm.NAME, ipsecMb.describe(),
                            "auto: ipsec-mb loaded and passed its self-test")
                    : new EngineChoice(JdkAesGcm.NAME, JdkAesGcm.NAME,
                            "auto: ipsec-mb unavailable: " + ipsecMb.reason());
            case IpsecMbAesGcm.NAME -> {
                if (!ipsecMb.available()) {
                    throw new IllegalStateException("ipsec.engine = " + IpsecMbAesGcm.NAME + " but it is unavailable: "
                            + ipsecMb.reason() + " (install libipsec-mb1 or choose auto or jdk)");
                }
                yield new EngineChoice(n, ipsecMb.describe(), "configured");
            }
            default -> new EngineChoice(n, n, "configured");
        };
    }

    /** A new engine; {@code name} is one of {@link #NAMES} (case-insensitive), {@code auto} resolved. */
    public static AeadEngine create(String name) {
        return switch (resolve(name).engine()) {
            case JdkAesGcm.NAME -> new JdkAesGcm();
            case BouncyCastleAesGcm.NAME -> new BouncyCastleAesGcm();
            default -> new IpsecMbAesGcm();
        };
    }

    /** One engine per worker, index = worker index. */
    public static List<AeadEngine> perWorker(String name, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("crypto engines: at least one worker, got " + workers);
        }
        String n = resolve(name).engine();
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
