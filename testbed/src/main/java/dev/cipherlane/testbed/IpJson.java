package dev.cipherlane.testbed;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.List;

/**
 * Reads the JSON that {@code ip -j} and {@code iperf3 -J} print, with Typesafe Config's
 * strict JSON parser (already on the class path for the node's own config).
 */
public final class IpJson {
    private IpJson() {}

    /** An array of objects, as {@code ip -j addr} and {@code ip -j route} print. */
    public static List<? extends Config> array(String json) {
        return wrap(json).getConfigList("v");
    }

    /**
     * One object, as {@code iperf3 -J} prints. Read as HOCON, of which JSON is a subset:
     * iperf3 3.12 repeats keys in its start section when it runs several flows (one
     * {@code sock_bufsize} per flow), which strict JSON parsing refuses; HOCON keeps the last.
     */
    public static Config object(String json) {
        return ConfigFactory.parseString("{\"v\":" + json.strip() + "}",
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)).getConfig("v");
    }

    private static Config wrap(String json) {
        return ConfigFactory.parseString("{\"v\":" + json.strip() + "}",
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    }

    /** {@code key} of {@code c} as a string, or "" when absent. */
    public static String string(Config c, String key) {
        return c.hasPath(quoted(key)) ? c.getString(quoted(key)) : "";
    }

    /** JSON keys may hold characters HOCON paths treat specially ('.', '-'). */
    static String quoted(String key) {
        return "\"" + key + "\"";
    }
}
