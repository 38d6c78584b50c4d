package dev.cipherlane.ipsec.keys;

import dev.cipherlane.linux.FileStatus;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;

/**
 * The checks that decide whether a key file, a sequence state file or their directory may
 * be trusted: no symbolic link is followed, and neither another user nor group or others
 * can change (key files: nor read) what the node relies on. Each check returns the reason
 * to refuse, one line naming the path, or null.
 */
final class PrivateFiles {
    /** Group and others may neither read nor write nor search. */
    static final int NO_GROUP_OR_OTHER_ACCESS = 0077;
    /** Group and others may not write. */
    static final int NO_GROUP_OR_OTHER_WRITE = 0022;

    private PrivateFiles() {}

    /** Attributes of {@code p} itself (a link is not followed), or null when it does not exist. */
    static PosixFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static int mode(PosixFileAttributes a) {
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            // PosixFilePermission is declared OWNER_READ first, OTHERS_EXECUTE last: bit 8 down to 0.
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    static String octal(int mode) {
        return String.format("%04o", mode);
    }

    static String kind(PosixFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isRegularFile()) {
            return "a regular file";
        }
        return "a special file";
    }

    /**
     * Why an opened key file must not be used, or null: a regular file with one name, owned by
     * root or the node's user, that only its owner can read or write (fstat of the descriptor).
     */
    static String keyFileProblem(Path p, FileStatus st) throws IOException {
        if (!st.isRegularFile()) {
            return p + ": " + (st.isDirectory() ? "a directory" : "a special file") + ", expected a regular file";
        }
        if (st.links() != 1) {
            return p + ": has " + st.links() + " names (hard links), expected a key file with one name; another name"
                    + " could read or replace the key unseen";
        }
        int self = ownUid();
        if (st.uid() != 0 && st.uid() != self) {
            String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            return p + ": owned by '" + owner + "', expected root or the user running the node ('" + me
                    + "'); fix: chown " + me + " " + p;
        }
        int mode = st.permissions();
        if ((mode & NO_GROUP_OR_OTHER_ACCESS) != 0) {
            return p + ": mode " + octal(mode) + " lets group or others read or write the key, expected 0600 or"
                    + " stricter; fix: chmod 600 " + p;
        }
        return null;
    }

    /** Why a key directory must not be trusted, or null: one others may write could swap the files. */
    static String keyDirectoryProblem(Path p, PosixFileAttributes a) throws IOException {
        return stateProblem(p, a, true);
    }

    /** The node's user id: the owner of this process's /proc entry. */
    private static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * Why a sequence state file or directory must not be trusted, or null. Its content is
     * not secret, but whoever can lower the mark in it can make the node reuse nonces.
     */
    static String stateProblem(Path p, PosixFileAttributes a, boolean directory) throws IOException {
        boolean right = directory ? a.isDirectory() : a.isRegularFile();
        if (!right) {
            return p + ": " + kind(a) + ", expected " + (directory ? "a directory" : "a regular file")
                    + " (links are not followed)";
        }
        String owner = ownerProblem(p, a);
        if (owner != null) {
            return owner;
        }
        int mode = mode(a);
        if ((mode & NO_GROUP_OR_OTHER_WRITE) != 0) {
            return p + ": mode " + octal(mode) + " lets group or others write it, expected "
                    + (directory ? "0700" : "0600") + " or stricter; fix: chmod " + (directory ? "700 " : "600 ") + p;
        }
        return null;
    }

    private static String ownerProblem(Path p, PosixFileAttributes a) throws IOException {
        UserPrincipal owner = a.owner();
        String me = System.getProperty("user.name");
        if (owner.getName().equals("root") || owner.getName().equals(me)) {
            return null;
        }
        UserPrincipal self = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(me);
        if (owner.equals(self)) {
            return null;
        }
        return p + ": owned by '" + owner.getName() + "', expected root or the user running the node ('" + me
                + "'); fix: chown " + me + " " + p;
    }
}
