package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.IpsecMbAesGcm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ipsec.engine as the dataplane takes it: the configuration accepts exactly the names the
 * crypto package knows, "auto" is the default and resolves to what this process can run.
 */
class CryptoWiringTest {
    private static IpsecSettings engine(String name) {
        return new IpsecSettings(true, Path.of("/etc/cipherlane/keys"), name, 0, 1024, false, 1024);
    }

    @Test
    void theConfigurationAndTheCryptoPackageKnowTheSameEngines() {
        assertEquals(AeadEngines.NAMES, IpsecSettings.ENGINES);
        assertEquals(AeadEngines.DEFAULT, IpsecSettings.DEFAULTS.engine());
    }

    @Test
    void autoResolvesToIpsecMbWhenItIsUsableElseTheJdk() {
        String expected = IpsecMbAesGcm.status().available() ? IpsecMbAesGcm.NAME : "jdk";
        assertEquals(expected, CryptoWiring.engine(engine("auto")).engine());
        assertEquals("bouncycastle", CryptoWiring.engine(engine("bouncycastle")).engine());
    }
}
