package dev.cipherlane.config;

/**
 * Invariant checks for the settings records. The loader reports bad values with file
 * and line long before these run; they guard settings built in code (tests, the demo).
 */
final class Bounds {

    private Bounds() {
    }

    static int check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", not " + value);
        }
        return value;
    }

    static java.time.Duration check(String name, java.time.Duration value, java.time.Duration min,
            java.time.Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be in " + DurationText.format(min) + ".."
                    + DurationText.format(max) + ", not " + value);
        }
        return value;
    }

    static int checkPowerOfTwo(String name, int value, int min, int max) {
        check(name, value, min, max);
        if (Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two, not " + value);
        }
        return value;
    }
}
