package dev.cipherlane.ipsec.parallel;

/**
 * A stand-in for a crypto thread's AEAD engine: a key, and a check that only the thread it
 * was made for ever uses it (engines are not thread-safe).
 */
final class ChecksumEngine {
    final int thread;
    final long key;
    private Thread owner;
    private volatile String misuse;
    long packets;

    ChecksumEngine(int thread, long key) {
        this.thread = thread;
        this.key = key;
    }

    /** Called on every use; records the first use from a second thread or a wrong index. */
    void use(int runningThread) {
        Thread me = Thread.currentThread();
        if (owner == null) {
            owner = me;
        }
        if (owner != me || runningThread != thread) {
            misuse = "engine of thread " + thread + " used by " + me.getName() + " as thread " + runningThread;
        }
        packets++;
    }

    String misuse() {
        return misuse;
    }
}
