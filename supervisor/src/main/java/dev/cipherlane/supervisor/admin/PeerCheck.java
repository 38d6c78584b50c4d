package dev.cipherlane.supervisor.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is on the other end of an admin connection, from the credentials the kernel recorded
 * when the client connected (SO_PEERCRED, unix(7)): they cannot be forged by the client.
 * Root and the service's own user may talk to the node; nobody else, even if a changed file
 * mode let them reach the socket.
 */
final class PeerCheck {
    static final UserPrincipal SELF = user(System.getProperty("user.name"));
    static final UserPrincipal ROOT = user("root");

    private PeerCheck() {}

    /** Why the peer of {@code client} may not use the API, or null when it may. */
    static String refusal(SocketChannel client) throws IOException {
        UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return refusal(peer.user());
    }

    static String refusal(UserPrincipal peer) {
        if (peer.equals(ROOT) || peer.equals(SELF)) {
            return null;
        }
        return "permission denied: user " + peer.getName() + " may not use the admin API (only root and "
                + SELF.getName() + ")";
    }

    private static UserPrincipal user(String name) {
        UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        try {
            return users.lookupPrincipalByName(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up user " + name, e);
        }
    }
}
