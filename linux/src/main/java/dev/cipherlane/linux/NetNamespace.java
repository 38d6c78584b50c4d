package dev.cipherlane.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A handle on a network namespace (network_namespaces(7)): an open descriptor of its
 * namespace file, {@code /run/netns/<name>} for one made by {@code ip netns add} or
 * {@code /proc/<pid>/ns/net} for a process's (a pod's sandbox). Holding the descriptor keeps
 * the namespace alive, even once its name is gone.
 *
 * <p>{@link #runIn} and {@link #enter} move the <em>calling thread</em> into the namespace
 * with {@code setns(fd, CLONE_NEWNET)} (setns(2)) and back again. setns changes one kernel
 * task: every other thread of the JVM stays where it was. While inside, what the thread
 * creates belongs to the namespace for good: sockets (our {@link Sockets}, java.net's too),
 * a {@link Rtnetlink} (which then configures that namespace from any thread), and taps
 * opened through {@code /dev/net/tun}. Descriptors made before entering keep their own
 * namespace.
 *
 * <p>Only platform threads may enter: a virtual thread can be moved to another carrier
 * thread at any blocking point, which would silently leave it in the wrong namespace and
 * the carrier in this one. Needs CAP_SYS_ADMIN.
 */
public final class NetNamespace implements AutoCloseable {
    /** setns(2) type for network namespaces, from uapi/linux/sched.h. */
    public static final int CLONE_NEWNET = 0x40000000;
    /** Where {@code ip netns add} bind-mounts named namespaces (ip-netns(8)). */
    public static final String NAMED_DIRECTORY = "/run/netns";
    private static final String THREAD_SELF = "/proc/thread-self/ns/net";

    /** Work done inside a namespace, allowed to throw what it throws. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final int fd;
    private final String path;
    private volatile boolean closed;

    private NetNamespace(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** The namespace {@code ip netns add <name>} created. */
    public static NetNamespace named(String name) throws LinuxException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad namespace name \"" + name + "\"");
        }
        return open(NAMED_DIRECTORY + "/" + name);
    }

    /** The network namespace of process {@code pid}. */
    public static NetNamespace ofProcess(long pid) throws LinuxException {
        return open("/proc/" + pid + "/ns/net");
    }

    /** The namespace the calling thread is in now. */
    public static NetNamespace ofCurrentThread() throws LinuxException {
        return open(THREAD_SELF);
    }

    /** Any network namespace file: {@code /proc/<pid>/task/<tid>/ns/net}, a bind mount ... */
    public static NetNamespace open(String path) throws LinuxException {
        return new NetNamespace(Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), path);
    }

    public int fd() {
        return fd;
    }

    public String path() {
        return path;
    }

    /**
     * The namespace's inode number, its identity: two handles with the same inode name the
     * same namespace (the number {@code ls -iL} shows, or the one in {@code net:[4026531840]}).
     */
    public long inode() throws IOException {
        checkOpen();
        return inodeOf(Path.of("/proc/self/fd/" + fd));
    }

    /** The inode of the namespace the calling thread is in. */
    public static long currentInode() throws IOException {
        return inodeOf(Path.of(THREAD_SELF));
    }

    /** stat(2) through the /proc magic link reaches the nsfs inode itself. */
    private static long inodeOf(Path link) throws IOException {
        return (Long) Files.getAttribute(link, "unix:ino");
    }

    /**
     * Runs {@code work} on this thread inside the namespace, then returns the thread to the
     * namespace it was in, whatever {@code work} did.
     */
    @SuppressWarnings("try") // the visit is only there to be closed
    public <T, E extends Exception> T runIn(Work<T, E> work) throws E, LinuxException {
        try (Visit visit = enter()) {
            return work.run();
        }
    }

    /**
     * Moves the calling thread into the namespace until the returned visit is closed, on
     * the same thread. Visits nest: each goes back to where its thread was when it began.
     */
    public Visit enter() throws LinuxException {
        checkOpen();
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot enter a network namespace: "
                    + "setns would move its carrier thread");
        }
        int home = Libc.open(THREAD_SELF, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            Libc.setns(fd, CLONE_NEWNET);
        } catch (LinuxException e) {
            closeQuietly(home, e);
            throw new LinuxException("setns(" + path + ", CLONE_NEWNET)", e.errno());
        }
        return new Visit(home, thread, path);
    }

    /**
     * A thread's stay in a namespace. {@link #close()} takes the thread back; it must run on
     * the thread that entered.
     */
    public static final class Visit implements AutoCloseable {
        private final int home;
        private final Thread thread;
        private final String path;
        private boolean closed;

        private Visit(int home, Thread thread, String path) {
            this.home = home;
            this.thread = thread;
            this.path = path;
        }

        /**
         * Back to the original namespace. Should that fail the thread would stay in the
         * wrong namespace and create its next sockets there, so it is reported as an
         * {@link IllegalStateException}, not something to log and carry on from.
         */
        @Override
        public void close() throws LinuxException {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a visit to " + path + " must be ended by " + thread
                        + ", not " + Thread.currentThread());
            }
            closed = true;
            try {
                Libc.setns(home, CLONE_NEWNET);
            } catch (LinuxException e) {
                closeQuietly(home, e);
                throw new IllegalStateException(thread + " could not leave network namespace " + path, e);
            }
            Libc.close(home);
        }
    }

    private static void closeQuietly(int fd, Exception pending) {
        try {
            Libc.close(fd);
        } catch (LinuxException e) {
            pending.addSuppressed(e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("namespace handle " + path + " is closed");
        }
    }

    /** Closes the descriptor; the namespace lives on while anything else holds it. */
    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Libc.close(fd);
    }

    @Override
    public String toString() {
        return "netns " + path;
    }
}
