package dev.cipherlane.supervisor.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One request line of the admin protocol, parsed (PROTOCOL.md beside this class):
 * {@code [v1] <command words> [--json]}, words separated by any whitespace. Without a version
 * word a request is taken as v1, so a client written before versions still works; a version
 * this node does not speak is refused rather than guessed at.
 *
 * @param command the command's words joined by one space, e.g. "show tunnels"
 * @param json    whether --json asked for the JSON form
 */
public record AdminRequest(int version, String command, boolean json) {

    /** The protocol version this node speaks, and the word a request names it by. */
    public static final int VERSION = 1;
    public static final String VERSION_WORD = "v" + VERSION;
    public static final String JSON = "--json";
    /** The jar of {@code stage upgrade <slot> --jar <file>}. */
    public static final String JAR = "--jar";

    private static final Pattern VERSION_SHAPE = Pattern.compile("v[0-9]+");

    /** @throws BadRequestException with a message for the client, if the line is no request */
    public static AdminRequest parse(String line) throws BadRequestException {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            // Text only: escapes would drive the operator's terminal when echoed back,
            // and NULs or other control bytes mean the client is not speaking this protocol.
            if (Character.isISOControl(c) && !Character.isWhitespace(c)) {
                throw new BadRequestException(String.format("request contains control character 0x%02x; "
                        + "requests are one line of text", (int) c));
            }
        }
        String stripped = line.strip();
        List<String> words = new ArrayList<>(stripped.isEmpty() ? List.of() : List.of(stripped.split("\\s+")));
        int version = VERSION;
        if (!words.isEmpty() && VERSION_SHAPE.matcher(words.getFirst()).matches()) {
            String asked = words.removeFirst();
            if (!asked.equals(VERSION_WORD)) {
                throw new BadRequestException("protocol version " + asked + " is not supported; this node speaks "
                        + VERSION_WORD);
            }
        }
        boolean json = false;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals(JSON)) {
                json = true;
            } else if (w.equals(JAR) && i + 1 < words.size()) {
                // Part of the command it belongs to (stage upgrade), value and all.
                command.add(w);
                command.add(words.get(++i));
            } else if (w.startsWith("--")) {
                throw new BadRequestException("unknown option " + printable(w) + "; the options are " + JSON
                        + " and, for stage upgrade, " + JAR + " <file>");
            } else {
                command.add(w);
            }
        }
        if (command.isEmpty()) {
            throw new BadRequestException("empty request");
        }
        return new AdminRequest(version, String.join(" ", command), json);
    }

    /** Echoed input must not drive the operator's terminal: controls (C0, C1) shown as '?'. */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        text.codePoints().forEach(c -> shown.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return shown.toString();
    }

    /** A line the node will not take as a request; the message says why, for the client. */
    public static final class BadRequestException extends Exception {
        BadRequestException(String message) {
            super(message);
        }
    }
}
