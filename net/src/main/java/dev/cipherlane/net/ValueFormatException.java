package dev.cipherlane.net;

/**
 * Text that does not spell the value it should. It carries what was expected apart from
 * the message so that config validation can print it in its own one-line format.
 */
public final class ValueFormatException extends IllegalArgumentException {

    private final String expected;
    private final String got;

    public ValueFormatException(String expected, String got) {
        super("expected " + expected + ", got " + got);
        this.expected = expected;
        this.got = got;
    }

    /** What a valid value looks like, phrased to follow "expected". */
    public String expected() {
        return expected;
    }

    /** The text that was rejected. */
    public String got() {
        return got;
    }
}
