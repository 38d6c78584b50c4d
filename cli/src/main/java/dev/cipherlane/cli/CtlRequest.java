package dev.cipherlane.cli;

import dev.cipherlane.supervisor.admin.AdminRequest;
import java.util.List;

/**
 * The request line {@code ctl} sends: the protocol version first, so a node that speaks
 * another version refuses it clearly instead of misreading it (PROTOCOL.md), then the words,
 * then {@code --json} if asked for.
 */
final class CtlRequest {
    private CtlRequest() {}

    static String line(List<String> words, boolean json) {
        return AdminRequest.VERSION_WORD + " " + String.join(" ", words) + (json ? " " + AdminRequest.JSON : "");
    }
}
