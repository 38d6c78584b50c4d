package dev.cipherlane.ipsec.keys;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;

/**
 * Child process of {@link SequenceKillTest}: takes sequence numbers as fast as it can and
 * writes each one to stdout (8 bytes, big-endian, flushed) before it counts as used, until
 * it is killed. Arguments: state directory, key fingerprint (16 hex digits), block size.
 */
public final class SequenceHammer {
    private SequenceHammer() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KeyFingerprint key = KeyFingerprint.parse(args[1]);
        long block = Long.parseLong(args[2]);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        SequenceStore store = SequenceStore.open(dir, block, true);
        SequenceReservation r = store.reserve(0x2001, key, false);
        while (true) {
            long s = r.next();
            if (s > 0) {
                out.writeLong(s);
                out.flush();
            } else if (s == SequenceReservation.PENDING) {
                Thread.onSpinWait();
            } else {
                System.err.println("unexpected refusal " + s);
                System.exit(3);
            }
        }
    }
}
