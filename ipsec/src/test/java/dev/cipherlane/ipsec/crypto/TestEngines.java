package dev.cipherlane.ipsec.crypto;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

/**
 * The engines tests run over: every concrete one, ipsec-mb included, which a test skips (a
 * JUnit assumption, not a pass) when this machine's library is missing or failed its self-test.
 * CI installs libipsec-mb1 with bin/lib/install-packages.sh, so there it runs.
 */
public final class TestEngines {
    private TestEngines() {}

    public static final List<String> NAMES = AeadEngines.ENGINES;

    public static void assumeAvailable(String name) {
        if (name.equals(IpsecMbAesGcm.NAME)) {
            assumeTrue(IpsecMbAesGcm.status().available(), IpsecMbAesGcm.status()::toString);
        }
    }

    public static void assumeIpsecMb() {
        assumeAvailable(IpsecMbAesGcm.NAME);
    }

    public static AeadEngine create(String name) {
        assumeAvailable(name);
        return AeadEngines.create(name);
    }
}
