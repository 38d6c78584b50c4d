package dev.cipherlane.supervisor.admin.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The {@code --json} form of a view: the record as Jackson writes records (components by name,
 * in declaration order), on one line so that a reply is one JSON document and a newline.
 * Numbers stay numbers; absent values are {@code null}, never left out, so every row of a view
 * has the same keys.
 */
public final class ViewJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ViewJson() {}

    public static String write(OperatorView view) {
        try {
            return MAPPER.writeValueAsString(view) + "\n";
        } catch (JsonProcessingException e) {
            // Records of strings, numbers and lists always serialize; this is a bug in a view.
            throw new IllegalStateException("cannot write " + view.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The mapper views are written with, for reading them back (tests, clients in this repo). */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }
}
