package dev.cipherlane.supervisor.admin;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** One readable line for a failure, for operators rather than for debuggers. */
public final class FailureText {

    private FailureText() {
    }

    public static String of(Throwable failure) {
        // The JDK's file exceptions carry only the path as their message.
        if (failure instanceof FileSystemException e && e.getReason() == null) {
            String reason = switch (e) {
                case AccessDeniedException denied -> "permission denied";
                case NoSuchFileException missing -> "no such file or directory";
                default -> e.getClass().getSimpleName();
            };
            return e.getFile() + ": " + reason;
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
