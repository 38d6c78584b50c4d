package dev.cipherlane.linux.files;

import dev.cipherlane.net.MacAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One record line of a {@link RecordFormat} file, {@code <kind> [<subject>] key=value...},
 * with its required fields known to be there. Its value readers refuse with the file, the
 * line and the record, so the format classes only say what a value must be.
 *
 * @param subject the word after the kind (a pod's name, an interface, a prefix), or null
 *                when the kind takes none
 */
public record Record(Path file, int line, String kind, String subject, Map<String, String> fields) {

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,9}");

    public Record {
        fields = Map.copyOf(fields);
    }

    /** A required field's value. */
    public String get(String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException(where() + " has no field " + key + ": not one its kind requires");
        }
        return value;
    }

    /** An optional field's value. */
    public Optional<String> find(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    /** {@code pod pod-a}: how refusals name the record. */
    public String where() {
        return subject == null ? kind : kind + " " + subject;
    }

    /** A refusal on this record's line, prefixed with {@link #where}. */
    public RecordFileException refuse(String problem) {
        return new RecordFileException(file, line, where() + ": " + problem);
    }

    /** A decimal int in 0..2^31-1, no sign and no leading zeros. */
    public int decimal(String key) throws RecordFileException {
        String text = get(key);
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) > Integer.MAX_VALUE) {
            throw refuse(key + " \"" + text + "\" is not a number");
        }
        return Integer.parseInt(text);
    }

    /** A decimal u32 (a route metric, say), in the low 32 bits of the result. */
    public long unsigned32(String key) throws RecordFileException {
        String text = get(key);
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) > 0xFFFF_FFFFL) {
            throw refuse(key + " \"" + text + "\" is not a number in 0..4294967295");
        }
        return Long.parseLong(text);
    }

    /** A MAC in the form {@link MacAddress#toString} writes. */
    public MacAddress mac(String key) throws RecordFileException {
        String text = get(key);
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw refuse(key + " \"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
    }
}
