package dev.cipherlane.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.cipherlane.net.ValueFormatException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cursor over one HOCON object that turns its values into Java values and its
 * mistakes into {@link Problems}.
 *
 * <p>Every key read is remembered, so that {@link #rejectUnknownKeys()} can flag the rest:
 * the keys a section reads <em>are</em> its schema. Because the file is merged over
 * reference.conf before reading, a reference key that no code reads shows up as unknown
 * too, which keeps the two from drifting apart.
 *
 * <p>After a bad value the section carries on with the reference default (or, inside a
 * list element, with nothing), so one run reports every problem in the file.
 */
final class ConfigSection {

    private final ConfigObject values;
    private final ConfigObject defaults;
    private final ConfigOrigin origin;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    /**
     * @param values   the file merged over reference.conf at this path
     * @param defaults reference.conf alone at this path; empty inside list elements
     * @param origin   where this object was written, for problems with no value to point at
     */
    ConfigSection(ConfigObject values, ConfigObject defaults, ConfigOrigin origin, String path, Problems problems) {
        this.values = values;
        this.defaults = defaults;
        this.origin = origin;
        this.path = path;
        this.problems = problems;
    }

    String path() {
        return path;
    }

    String path(String key) {
        String segment = ConfigUtil.joinPath(key);
        return path.isEmpty() ? segment : path + "." + segment;
    }

    ConfigOrigin origin(String key) {
        ConfigValue value = values.get(key);
        return value != null ? value.origin() : origin;
    }

    /** The value at {@code key} as a problem would show it. */
    String shown(String key) {
        ConfigValue value = values.get(key);
        return value == null ? "nothing" : Problems.got(value);
    }

    /** A nested object; a non-object is reported and its defaults are read instead. */
    ConfigSection section(String key) {
        known.add(key);
        ConfigObject fallback = defaults.get(key) instanceof ConfigObject object ? object : ConfigFactory.empty().root();
        ConfigValue value = values.get(key);
        if (value instanceof ConfigObject object) {
            return new ConfigSection(object, fallback, object.origin(), path(key), problems);
        }
        if (value == null) {
            problems.add(origin, path(key), "an object", "nothing");
        } else {
            problems.add(value.origin(), path(key), "an object", Problems.got(value));
        }
        return new ConfigSection(fallback, fallback, origin(key), path(key), problems);
    }

    /** A value that must be there; null only if it is missing or bad and has no default. */
    <T> T get(String key, ValueReader<T> reader) {
        known.add(key);
        ConfigValue value = values.get(key);
        if (value == null) {
            problems.add(origin, path(key), reader.expected(), "nothing");
            return fallback(key, reader);
        }
        return read(value, path(key), reader).orElseGet(() -> fallback(key, reader));
    }

    /**
     * Whether {@code key} is set at all, for a key that only some other setting allows; it
     * counts as read, so the caller's own refusal is the one problem reported.
     */
    boolean has(String key) {
        known.add(key);
        return values.get(key) != null;
    }

    /** A value that may be left out; empty when it is, or when it is bad. */
    <T> Optional<T> optional(String key, ValueReader<T> reader) {
        known.add(key);
        ConfigValue value = values.get(key);
        return value == null ? Optional.empty() : read(value, path(key), reader);
    }

    /**
     * A list of distinct values, each read by {@code element}. Bad elements are reported
     * at their own line and left out. Duplicates are refused because every list here is
     * really a set, and a repeated next hop or address is a copy-paste slip.
     */
    <T> List<T> list(String key, String expected, int minSize, ValueReader<T> element) {
        known.add(key);
        ConfigValue value = values.get(key);
        if (value == null && defaults.get(key) == null) {
            if (minSize > 0) {
                problems.add(origin, path(key), expected, "nothing");
            }
            return List.of();
        }
        if (!(value instanceof ConfigList list)) {
            problems.add(origin(key), path(key), expected, value == null ? "nothing" : Problems.got(value));
            return defaults.get(key) instanceof ConfigList fallback ? readAll(fallback, element) : List.of();
        }
        if (list.size() < minSize) {
            problems.add(list.origin(), path(key), expected, Problems.got(list));
        }
        List<T> read = new ArrayList<>();
        Map<T, Integer> firstLine = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue item = list.get(i);
            String itemPath = path(key) + "[" + i + "]";
            Optional<T> parsed = read(item, itemPath, element);
            if (parsed.isEmpty()) {
                continue;
            }
            Integer earlier = firstLine.putIfAbsent(parsed.get(), item.origin().lineNumber());
            if (earlier != null) {
                problems.add(item.origin(), itemPath, "no repeats, but " + parsed.get() + " is already listed on line " + earlier,
                        Problems.got(item));
                continue;
            }
            read.add(parsed.get());
        }
        return read;
    }

    /** The objects of a list, each a section of its own with no defaults. */
    List<ConfigSection> objects(String key, String expected) {
        known.add(key);
        ConfigValue value = values.get(key);
        if (!(value instanceof ConfigList list)) {
            problems.add(origin(key), path(key), "a list of " + expected, value == null ? "nothing" : Problems.got(value));
            return List.of();
        }
        List<ConfigSection> sections = new ArrayList<>();
        ConfigObject none = ConfigFactory.empty().root();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue item = list.get(i);
            String itemPath = path(key) + "[" + i + "]";
            if (item instanceof ConfigObject object) {
                sections.add(new ConfigSection(object, none, object.origin(), itemPath, problems));
            } else {
                problems.add(item.origin(), itemPath, expected, Problems.got(item));
            }
        }
        return sections;
    }

    /** Reports every key that no reader asked for, with the nearest known key if one is close. */
    void rejectUnknownKeys() {
        for (Map.Entry<String, ConfigValue> entry : values.entrySet()) {
            String key = entry.getKey();
            if (known.contains(key)) {
                continue;
            }
            String expected = known.size() == 1 ? "only " + known.iterator().next()
                    : "one of " + String.join(", ", known)
                    + KeySuggestion.nearest(key, known).map(s -> " (did you mean " + s + "?)").orElse("");
            problems.add(entry.getValue().origin(), path(key), expected, "an unknown key");
        }
    }

    private <T> Optional<T> read(ConfigValue value, String valuePath, ValueReader<T> reader) {
        if (value.valueType() == ConfigValueType.NULL) {
            problems.add(value.origin(), valuePath, reader.expected(), "null");
            return Optional.empty();
        }
        try {
            return Optional.of(reader.read(value));
        } catch (ValueFormatException e) {
            problems.add(value.origin(), valuePath, e.expected(), Problems.got(value));
            return Optional.empty();
        }
    }

    private <T> T fallback(String key, ValueReader<T> reader) {
        ConfigValue value = defaults.get(key);
        return value == null ? null : reader.read(value);
    }

    private <T> List<T> readAll(ConfigList list, ValueReader<T> element) {
        return list.stream().map(element::read).toList();
    }
}
