package dev.cipherlane.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.cipherlane.net.ValueFormatException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * How one HOCON value becomes a Java value, and what to say when it cannot.
 *
 * <p>Types are strict: HOCON would read the string "2" as a number and a bare 30 as
 * thirty milliseconds; here a number must be written as a number and a duration must
 * carry its unit, because a service that guesses at its config is harder to trust than
 * one that refuses to start.
 *
 * @param expected what a valid value looks like, phrased to follow "expected"
 */
record ValueReader<T>(String expected, Conversion<T> conversion) {

    /** Throws {@link ValueFormatException} for a value it cannot take. */
    @FunctionalInterface
    interface Conversion<T> {
        T convert(ConfigValue value, String expected);
    }

    T read(ConfigValue value) {
        return conversion.convert(value, expected);
    }

    static ValueReader<Integer> integer(int min, int max) {
        return new ValueReader<>("an integer in " + min + ".." + max, (value, expected) -> {
            long n = wholeNumber(value, expected);
            if (n < min || n > max) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            return (int) n;
        });
    }

    static ValueReader<Long> longInteger(long min, long max) {
        return new ValueReader<>("an integer in " + min + ".." + max, (value, expected) -> {
            long n = wholeNumber(value, expected);
            if (n < min || n > max) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            return n;
        });
    }

    /** A whole number that fits an int and that {@code valid} takes, for rules a range cannot state. */
    static ValueReader<Integer> integer(String expected, IntPredicate valid) {
        return new ValueReader<>(expected, (value, wanted) -> {
            long n = wholeNumber(value, wanted);
            if (n != (int) n || !valid.test((int) n)) {
                throw new ValueFormatException(wanted, Problems.got(value));
            }
            return (int) n;
        });
    }

    /** Only a HOCON boolean: the string "yes" or "on" is refused rather than guessed at. */
    static ValueReader<Boolean> bool() {
        return new ValueReader<>("true or false", (value, expected) -> {
            if (value.valueType() != ConfigValueType.BOOLEAN) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            return (Boolean) value.unwrapped();
        });
    }

    static ValueReader<Integer> powerOfTwo(int min, int max) {
        return new ValueReader<>("a power of two in " + min + ".." + max, (value, expected) -> {
            long n = wholeNumber(value, expected);
            if (n < min || n > max || Long.bitCount(n) != 1) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            return (int) n;
        });
    }

    static ValueReader<Duration> duration(Duration min, Duration max) {
        String range = DurationText.format(min) + ".." + DurationText.format(max);
        return new ValueReader<>("a duration in " + range + " with a unit, like 30s", (value, expected) -> {
            if (value.valueType() != ConfigValueType.STRING) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            Duration duration;
            try {
                // Typesafe Config owns the HOCON duration syntax (units, "1 minute"), so ask it.
                duration = ConfigFactory.empty().withValue("d", value).getDuration("d");
            } catch (ConfigException.BadValue e) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            return duration;
        });
    }

    static ValueReader<String> string(String expected, Predicate<String> valid) {
        return text(expected, s -> {
            if (!valid.test(s)) {
                throw new ValueFormatException(expected, s);
            }
            return s;
        });
    }

    /**
     * A value written as a string and parsed by {@code parse}, whose own
     * {@link ValueFormatException} can say more precisely what was wrong.
     */
    static <T> ValueReader<T> text(String expected, Function<String, T> parse) {
        return new ValueReader<>(expected, (value, wanted) -> {
            if (value.valueType() != ConfigValueType.STRING) {
                throw new ValueFormatException(wanted, Problems.got(value));
            }
            return parse.apply((String) value.unwrapped());
        });
    }

    /**
     * HOCON numbers may come back as Integer, Long or Double; take any whole one. Integers and
     * longs are taken as they are, since a double holds a long above 2^53 only approximately.
     */
    private static long wholeNumber(ConfigValue value, String expected) {
        if (value.valueType() == ConfigValueType.NUMBER && (value.unwrapped() instanceof Integer
                || value.unwrapped() instanceof Long)) {
            return ((Number) value.unwrapped()).longValue();
        }
        if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Number number) {
            double d = number.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p62) {
                return number.longValue();
            }
        }
        throw new ValueFormatException(expected, Problems.got(value));
    }
}
