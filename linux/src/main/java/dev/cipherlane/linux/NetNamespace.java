package dev.cipherlane.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

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
    /** Makes and removes named namespaces one at a time within this JVM. */
    private static final Object NAMED_LOCK = new Object();

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

    /** The namespace {@code ip netns add <name>} (or {@link #add}) created. */
    public static NetNamespace named(String name) throws LinuxException {
        return open(namedPath(name));
    }

    /** Where named namespace {@code name} is bind-mounted: {@code /run/netns/<name>}. */
    public static String namedPath(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad namespace name \"" + name + "\"");
        }
        return NAMED_DIRECTORY + "/" + name;
    }

    /**
     * Creates named namespace {@code name}, new and empty (only {@code lo}, down), as
     * {@code ip netns add} does (ip-netns(8); iproute2's ip/ipnetns.c): {@link #NAMED_DIRECTORY}
     * is made a shared mount point, bind-mounted onto itself first if it is not a mount point
     * yet, so that deleting a namespace in one mount namespace unmounts it in the others too
     * and the namespace can be freed; then an empty file {@code /run/netns/<name>} is created
     * and a new network namespace bind-mounted onto it. The namespace is made by
     * {@code unshare(CLONE_NEWNET)} on a thread started for it, which leaves it again
     * before it ends: no thread of the JVM stays inside. EEXIST if the name is taken; after
     * any other failure nothing is left behind.
     */
    public static void add(String name) throws LinuxException {
        String file = namedPath(name);
        synchronized (NAMED_LOCK) {
            shareNamedDirectory();
            Libc.close(Libc.open(file, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0));
            try {
                onOwnThread("netns-add-" + name, () -> {
                    int home = Libc.open(THREAD_SELF, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                    try {
                        Libc.unshare(CLONE_NEWNET);
                        Mount.mount(THREAD_SELF, file, null, Mount.MS_BIND);
                    } finally {
                        try {
                            Libc.setns(home, CLONE_NEWNET);
                        } finally {
                            Libc.close(home);
                        }
                    }
                    return null;
                });
            } catch (LinuxException | RuntimeException | Error e) {
                try {
                    removeNamed(file);
                } catch (LinuxException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /**
     * Deletes named namespace {@code name} as {@code ip netns del} does: a lazy unmount
     * ({@code umount2(MNT_DETACH)}) and the file removed. The namespace itself lives on while
     * a process, a thread or a descriptor still holds it, and goes with its interfaces when
     * the last one lets go. ENOENT if there is no such name.
     */
    public static void delete(String name) throws LinuxException {
        String file = namedPath(name);
        synchronized (NAMED_LOCK) {
            removeNamed(file);
        }
    }

    /** Whether named namespace {@code name} exists. */
    public static boolean exists(String name) {
        return Files.exists(Path.of(namedPath(name)));
    }

    private static void removeNamed(String file) throws LinuxException {
        try {
            Mount.umount2(file, Mount.MNT_DETACH);
        } catch (LinuxException e) {
            // EINVAL: not a mount point, as after a failed add; the file still goes.
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
        }
        Libc.unlink(file);
    }

    /**
     * Makes {@link #NAMED_DIRECTORY} a shared mount point (mount --make-rshared), first
     * bind-mounting it onto itself if it is only a directory (EINVAL), as iproute2 does.
     */
    private static void shareNamedDirectory() throws LinuxException {
        try {
            Files.createDirectories(Path.of(NAMED_DIRECTORY),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new LinuxException("mkdir(\"" + NAMED_DIRECTORY + "\")", Errno.EIO, e.toString());
        }
        try {
            Mount.mount("", NAMED_DIRECTORY, null, Mount.MS_SHARED | Mount.MS_REC);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            Mount.mount(NAMED_DIRECTORY, NAMED_DIRECTORY, null, Mount.MS_BIND | Mount.MS_REC);
            Mount.mount("", NAMED_DIRECTORY, null, Mount.MS_SHARED | Mount.MS_REC);
        }
    }

    /** Runs {@code work} on a new platform thread and waits for it; its failure is rethrown here. */
    private static void onOwnThread(String name, Work<Void, LinuxException> work) throws LinuxException {
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name(name).unstarted(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                // The thread is in the middle of making the namespace: wait for it to finish.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        switch (failure[0]) {
            case null -> { }
            case LinuxException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure[0]);
        }
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
