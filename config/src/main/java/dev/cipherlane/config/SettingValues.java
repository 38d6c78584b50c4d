package dev.cipherlane.config;

import com.typesafe.config.ConfigUtil;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one place where setting values become text, for `show config` and for reload
 * diffs. Anything an operator or a log can see passes through here, which is why
 * secret settings (PSKs) will be redacted here and nowhere else.
 */
final class SettingValues {

    private SettingValues() {
    }

    /** For people: strings quoted so spaces show, addresses and numbers bare. */
    static String display(Object value) {
        return switch (value) {
            case null -> "(none)";
            case String s -> ConfigUtil.quoteString(s);
            case Duration d -> DurationText.format(d);
            case Optional<?> o -> display(o.orElse(null));
            case List<?> list -> list.stream().map(SettingValues::display).collect(Collectors.joining(", ", "[", "]"));
            default -> value.toString();
        };
    }

    /** For HOCON: anything that is not a number, a boolean or a duration is a quoted string. */
    static String hocon(Object value) {
        return switch (value) {
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Boolean b -> b.toString();
            case Duration d -> DurationText.format(d);
            case List<?> list -> list.stream().map(SettingValues::hocon).collect(Collectors.joining(", ", "[", "]"));
            default -> ConfigUtil.quoteString(value.toString());
        };
    }
}
