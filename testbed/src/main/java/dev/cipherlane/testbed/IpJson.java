package dev.cipherlane.testbed;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * An array of objects as plain values, for checks field by field: objects become maps,
     * arrays lists, numbers longs ({@code ip} prints no fractions), strings, booleans and
     * null themselves.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(String json) {
        return (List<Map<String, Object>>) plain(wrap(json).root().unwrapped().get("v"));
    }

    private static Object plain(Object value) {
        return switch (value) {
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put((String) k, plain(v)));
                yield out;
            }
            case List<?> l -> l.stream().map(IpJson::plain).toList();
            case Integer i -> i.longValue();
            case null, default -> value;
        };
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
