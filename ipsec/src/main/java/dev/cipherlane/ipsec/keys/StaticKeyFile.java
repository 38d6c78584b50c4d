package dev.cipherlane.ipsec.keys;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.FileStatus;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Static ESP keys for one tunnel, until IKEv2 negotiates them: one inbound and one outbound
 * SA, AES-GCM-256 (RFC 4106). The file is text, one {@code keyword value} per line, blank
 * lines and lines starting with {@code #} ignored:
 *
 * <pre>
 * # tunnel to node-b; node-b's file has the same two SAs with in and out swapped
 * spi-in   0x00001001
 * key-in   0x&lt;72 hex digits: 32-byte AES-256 key, then 4-byte salt (RFC 4106 section 8.1)&gt;
 * spi-out  0x00002001
 * key-out  0x&lt;72 hex digits&gt;
 * esn      off            (optional, default off: 64-bit extended sequence numbers, RFC 4303 section 2.2.1)
 * </pre>
 *
 * SPIs are {@code 0x} and 1 to 8 hex digits or a decimal number, 256 and up (0 and 1..255
 * are reserved, RFC 4303 section 2.1). The two directions must differ in SPI and in key:
 * with one key both ends would encrypt under the same key and nonces from sequence number 1
 * on, which breaks GCM outright (RFC 4106 section 8.1).
 *
 * <p>{@link #load} refuses anything it cannot trust: a link or other non-regular file, a file
 * with a second name (a hard link), a file other users own or that group or others may read
 * or write, a directory that group or others may write, and every malformed line, with
 * one line saying {@code file:line: what, expected ..., got ...}. No message repeats key
 * material, and the bytes read from the file are wiped once parsed.
 */
public final class StaticKeyFile {
    /** Key files are a few hundred bytes; anything much larger is not one. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final String[] KEYWORDS = {"spi-in", "key-in", "spi-out", "key-out", "esn"};
    private static final int SPI_IN = 0;
    private static final int KEY_IN = 1;
    private static final int SPI_OUT = 2;
    private static final int KEY_OUT = 3;
    private static final int ESN = 4;
    private static final String KEY_EXPECTED = (2 * KeyMaterial.LENGTH) + " hex digits (32-byte AES-256 key, then"
            + " 4-byte salt, RFC 4106 section 8.1), optionally after 0x";
    private static final String SPI_EXPECTED = "0x and 1 to 8 hex digits or a decimal number, 256 to 4294967295";

    private final Path file;
    private final SaKeys inbound;
    private final SaKeys outbound;
    private final boolean esn;

    private StaticKeyFile(Path file, SaKeys inbound, SaKeys outbound, boolean esn) {
        this.file = file;
        this.inbound = inbound;
        this.outbound = outbound;
        this.esn = esn;
    }

    public Path file() {
        return file;
    }

    /** The SA the peer sends on: we decrypt with it. */
    public SaKeys inbound() {
        return inbound;
    }

    /** The SA we send on. */
    public SaKeys outbound() {
        return outbound;
    }

    /** Whether both SAs use 64-bit extended sequence numbers (RFC 4303 section 2.2.1). */
    public boolean esn() {
        return esn;
    }

    /** Wipes both directions' key material. */
    public void destroy() {
        inbound.material().destroy();
        outbound.material().destroy();
    }

    @Override
    public String toString() {
        return "static keys " + file + " (in " + inbound + ", out " + outbound + ", esn " + (esn ? "on" : "off") + ")";
    }

    /**
     * Reads and checks one key file. The checks look at the opened descriptor (fstat), so what
     * is checked is what is read: the file is opened without following a link and must be a
     * regular file with one name, owned by root or the node's user, that group and others can
     * neither read nor write, in a directory that group and others cannot write.
     */
    public static StaticKeyFile load(Path file) throws IOException {
        byte[] raw = SecretFile.read(file, "a key file", "a key file of a few lines", MAX_BYTES);
        try {
            return new Parser(file, raw).parse();
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Checks keys of several tunnels against each other: inbound SPIs must be unique on a
     * node (the receiver finds the SA by SPI, RFC 4303 section 2.1), and no key material may
     * serve two SAs (two senders would repeat nonces under one key).
     */
    public static void requireDistinct(Collection<StaticKeyFile> files) throws KeyFileException {
        Map<Integer, StaticKeyFile> byInboundSpi = new HashMap<>();
        Map<KeyFingerprint, String> byKey = new HashMap<>();
        for (StaticKeyFile f : files) {
            StaticKeyFile other = byInboundSpi.putIfAbsent(f.inbound.spi(), f);
            if (other != null) {
                throw new KeyFileException(f.file + ": spi-in " + SaKeys.spiText(f.inbound.spi())
                        + " is already the inbound SPI of " + other.file + ", expected an inbound SPI unique on the node");
            }
            for (SaKeys sa : new SaKeys[] {f.inbound, f.outbound}) {
                String where = f.file + " (" + (sa == f.inbound ? "key-in" : "key-out") + ")";
                String seen = byKey.putIfAbsent(sa.material().fingerprint(), where);
                if (seen != null) {
                    throw new KeyFileException(where + ": same key material as " + seen
                            + ", expected a distinct key per SA (one key for two SAs repeats GCM nonces)");
                }
            }
        }
    }

    /** One pass over the bytes; key values are decoded straight from them, never held as strings. */
    private static final class Parser {
        private final Path file;
        private final byte[] raw;
        private final int[] lineOf = new int[KEYWORDS.length];
        private final int[] spis = new int[2];
        private final KeyMaterial[] keys = new KeyMaterial[2];
        private boolean esn;
        private int line;

        Parser(Path file, byte[] raw) {
            this.file = file;
            this.raw = raw;
        }

        StaticKeyFile parse() throws KeyFileException {
            try {
                int pos = 0;
                while (pos < raw.length) {
                    int end = pos;
                    while (end < raw.length && raw[end] != '\n') {
                        end++;
                    }
                    line++;
                    parseLine(pos, end);
                    pos = end + 1;
                }
                for (int k : new int[] {SPI_IN, KEY_IN, SPI_OUT, KEY_OUT}) {
                    if (lineOf[k] == 0) {
                        throw new KeyFileException(file + ": missing " + KEYWORDS[k]
                                + ", expected lines spi-in, key-in, spi-out and key-out");
                    }
                }
                if (spis[0] == spis[1]) {
                    throw error(lineOf[SPI_OUT], "spi-out " + SaKeys.spiText(spis[1]) + " equals spi-in (line "
                            + lineOf[SPI_IN] + "), expected a different SPI per direction");
                }
                if (keys[0].sameAs(keys[1])) {
                    throw error(lineOf[KEY_OUT], "key-out equals key-in (line " + lineOf[KEY_IN] + "), expected a"
                            + " different key per direction (one key would repeat GCM nonces, RFC 4106 section 8.1)");
                }
                return new StaticKeyFile(file, new SaKeys(spis[0], keys[0]), new SaKeys(spis[1], keys[1]), esn);
            } catch (KeyFileException e) {
                for (KeyMaterial k : keys) {
                    if (k != null) {
                        k.destroy();
                    }
                }
                throw e;
            }
        }

        private void parseLine(int from, int to) throws KeyFileException {
            if (to > from && raw[to - 1] == '\r') {
                to--;
            }
            int[] starts = new int[3];
            int[] ends = new int[3];
            int words = 0;
            int i = from;
            while (i < to) {
                while (i < to && isBlank(raw[i])) {
                    i++;
                }
                if (i == to) {
                    break;
                }
                if (words == 0 && raw[i] == '#') {
                    return;
                }
                int s = i;
                while (i < to && !isBlank(raw[i])) {
                    i++;
                }
                if (words < 3) {
                    starts[words] = s;
                    ends[words] = i;
                }
                words++;
            }
            if (words == 0) {
                return;
            }
            if (words != 2) {
                throw error(line, "malformed line, expected 'keyword value', got " + words + " words");
            }
            int k = keyword(starts[0], ends[0]);
            if (lineOf[k] != 0) {
                throw error(line, KEYWORDS[k] + " given twice (first on line " + lineOf[k] + "), expected it once");
            }
            lineOf[k] = line;
            switch (k) {
                case SPI_IN, SPI_OUT -> spis[k == SPI_IN ? 0 : 1] = spi(KEYWORDS[k], starts[1], ends[1]);
                case KEY_IN, KEY_OUT -> keys[k == KEY_IN ? 0 : 1] = key(KEYWORDS[k], starts[1], ends[1]);
                default -> esn = esn(starts[1], ends[1]);
            }
        }

        private int keyword(int from, int to) throws KeyFileException {
            String word = ascii(from, to);
            for (int k = 0; k < KEYWORDS.length; k++) {
                if (KEYWORDS[k].equals(word)) {
                    return k;
                }
            }
            throw error(line, "unknown keyword, expected one of " + String.join(", ", KEYWORDS) + ", got "
                    + shown(from, to, true));
        }

        private int spi(String keyword, int from, int to) throws KeyFileException {
            long v = -1;
            int len = to - from;
            if (len > 2 && raw[from] == '0' && (raw[from + 1] == 'x' || raw[from + 1] == 'X')) {
                if (len <= 10) {
                    v = 0;
                    for (int i = from + 2; i < to && v >= 0; i++) {
                        int d = Character.digit(raw[i], 16);
                        v = d < 0 ? -1 : (v << 4) | d;
                    }
                }
            } else if (len <= 10) {
                v = 0;
                for (int i = from; i < to && v >= 0; i++) {
                    int d = raw[i] >= '0' && raw[i] <= '9' ? raw[i] - '0' : -1;
                    v = d < 0 ? -1 : v * 10 + d;
                }
                if (v > 0xFFFF_FFFFL) {
                    v = -1;
                }
            }
            if (v < 0) {
                throw error(line, "bad " + keyword + ", expected " + SPI_EXPECTED + ", got " + shown(from, to, false));
            }
            if (v < SaKeys.FIRST_USABLE_SPI) {
                throw error(line, keyword + " " + SaKeys.spiText((int) v) + " is reserved (0 means no SA, 1..255 are reserved by IANA,"
                        + " RFC 4303 section 2.1), expected 256 to 4294967295");
            }
            return (int) v;
        }

        private KeyMaterial key(String keyword, int from, int to) throws KeyFileException {
            int digits = from;
            if (to - from >= 2 && raw[from] == '0' && (raw[from + 1] == 'x' || raw[from + 1] == 'X')) {
                digits += 2;
            }
            for (int i = digits; i < to; i++) {
                if (Character.digit(raw[i], 16) < 0) {
                    throw error(line, "bad " + keyword + ", expected " + KEY_EXPECTED + ", got a character that is"
                            + " not a hex digit at column " + (i - lineStart(from) + 1));
                }
            }
            int count = to - digits;
            if (count != 2 * KeyMaterial.LENGTH) {
                throw error(line, "bad " + keyword + ", expected " + KEY_EXPECTED + ", got " + count + " hex digits");
            }
            byte[] bytes = new byte[KeyMaterial.LENGTH];
            try {
                for (int b = 0; b < bytes.length; b++) {
                    int hi = Character.digit(raw[digits + 2 * b], 16);
                    int lo = Character.digit(raw[digits + 2 * b + 1], 16);
                    bytes[b] = (byte) ((hi << 4) | lo);
                }
                KeyMaterial m = KeyMaterial.of(bytes);
                if (m.isAllZero()) {
                    m.destroy();
                    throw error(line, "bad " + keyword + ", expected random key material, got all zeros");
                }
                return m;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        private boolean esn(int from, int to) throws KeyFileException {
            String v = ascii(from, to);
            if (v.equals("on")) {
                return true;
            }
            if (v.equals("off")) {
                return false;
            }
            throw error(line, "bad esn, expected on or off, got " + shown(from, to, false));
        }

        private int lineStart(int pos) {
            int s = pos;
            while (s > 0 && raw[s - 1] != '\n') {
                s--;
            }
            return s;
        }

        private String ascii(int from, int to) {
            char[] c = new char[to - from];
            for (int i = from; i < to; i++) {
                c[i - from] = (char) (raw[i] & 0xff);
            }
            return new String(c);
        }

        /**
         * A token as it may appear in an error. A token that could be key material (long,
         * or hex only, as when a key was pasted without its keyword) is described, not shown.
         */
        private String shown(int from, int to, boolean mayBeKey) {
            int len = to - from;
            boolean printable = true;
            boolean hexOnly = true;
            for (int i = from; i < to; i++) {
                printable &= raw[i] > ' ' && raw[i] < 0x7f;
                hexOnly &= Character.digit(raw[i], 16) >= 0 || raw[i] == 'x' || raw[i] == 'X';
            }
            if (!printable || len > 32 || (mayBeKey && hexOnly && len > 8)) {
                return "a word of " + len + " characters (not shown: it may be key material)";
            }
            return "'" + ascii(from, to) + "'";
        }

        private KeyFileException error(int atLine, String what) {
            return new KeyFileException(file + ":" + atLine + ": " + what);
        }

        private static boolean isBlank(byte b) {
            return b == ' ' || b == '\t';
        }
    }
}
