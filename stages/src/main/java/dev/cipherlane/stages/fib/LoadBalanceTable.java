package dev.cipherlane.stages.fib;

import java.util.Arrays;

/**
 * Load balancers: what a FIB entry points at. A load balancer is an ordered set of 1 to
 * {@link #MAX_PATHS} adjacencies (equal-cost paths), expanded into a power-of-two bucket array
 * so that choosing a path is {@code bucket[flowHash & mask]}: no division, no loop, one read.
 * This is VPP's {@code load_balance_t} idea.
 *
 * <p>Buckets are filled round-robin ({@code bucket[b] = path[b % n]}), so the choice depends
 * only on the hash and the path order: the same flow takes the same path in every run. With
 * {@code n} paths there are {@code nextPowerOfTwo(16 n)} buckets (one when {@code n == 1}),
 * which keeps the largest path's share within about 6% of the smallest's when {@code n} is
 * not a power of two.
 *
 * <p>Index {@link #DROP} (0) and {@link #PUNT} (1) are permanent one-path load balancers over
 * {@link AdjacencyTable#DROP} and {@link AdjacencyTable#PUNT}; index 0 being DROP means a
 * zero-initialised reference fails closed.
 *
 * <p>Paths are locked in the {@link AdjacencyTable} while a load balancer uses them, and a load
 * balancer is locked by every route that points at it ({@link Ip4Fib}, {@link Ip6Fib}), so
 * neither can be freed (and its index reused) under a user.
 *
 * <p>Threading: as {@link AdjacencyTable}. One control thread mutates; workers read a
 * {@link Snapshot}. Changing a load balancer's paths in place ({@link #update}) keeps its index,
 * so routes need no change when a tunnel or neighbour comes or goes.
 */
public final class LoadBalanceTable {

    /** Permanent load balancer whose only path is {@link AdjacencyTable#DROP}. */
    public static final int DROP = 0;
    /** Permanent load balancer whose only path is {@link AdjacencyTable#PUNT}. */
    public static final int PUNT = 1;
    /** Most equal-cost paths one load balancer may have. */
    public static final int MAX_PATHS = 64;

    private static final int BUCKETS_PER_PATH = 16;
    private static final int INITIAL_CAPACITY = 64;

    private final AdjacencyTable adjacencies;
    private int[][] paths = new int[INITIAL_CAPACITY][];
    private int[][] buckets = new int[INITIAL_CAPACITY][];
    private int[] locks = new int[INITIAL_CAPACITY];
    private int[] free = new int[INITIAL_CAPACITY];
    private int freeCount;
    private int size;
    private Snapshot snapshot;

    public LoadBalanceTable(AdjacencyTable adjacencies) {
        this.adjacencies = adjacencies;
        create(AdjacencyTable.DROP);
        create(AdjacencyTable.PUNT);
    }

    /** The adjacency table whose indices this table's paths are. */
    public AdjacencyTable adjacencies() {
        return adjacencies;
    }

    /** New load balancer over {@code adjacencies}, in that order; returns its index. */
    public int create(int... adjacencyIndices) {
        int[] ordered = checkedPaths(adjacencyIndices);
        int lb;
        if (freeCount > 0) {
            lb = free[--freeCount];
        } else {
            if (size == paths.length) {
                grow();
            }
            lb = size++;
        }
        install(lb, ordered);
        locks[lb] = 0;
        return lb;
    }

    /** Replaces the paths of {@code lb}, keeping its index (and so every route pointing at it). */
    public void update(int lb, int... adjacencyIndices) {
        requireMutable(lb);
        int[] ordered = checkedPaths(adjacencyIndices);
        int[] old = paths[lb];
        install(lb, ordered);
        for (int adj : old) {
            adjacencies.unlock(adj);
        }
    }

    /** Frees {@code lb}; refused while a route points at it. */
    public void remove(int lb) {
        requireMutable(lb);
        if (locks[lb] != 0) {
            throw new IllegalStateException("load balancer " + lb + " is used by " + locks[lb] + " route(s)");
        }
        for (int adj : paths[lb]) {
            adjacencies.unlock(adj);
        }
        paths[lb] = null;
        buckets[lb] = null;
        free[freeCount++] = lb;
        snapshot = null;
    }

    public boolean contains(int lb) {
        return lb >= 0 && lb < size && paths[lb] != null;
    }

    /** One past the highest index ever handed out. */
    public int size() {
        return size;
    }

    /** The adjacency {@code flowHash} selects. Control-side; workers use {@link Snapshot#pick}. */
    public int pick(int lb, int flowHash) {
        int[] b = buckets[lb];
        return b[flowHash & (b.length - 1)];
    }

    public int pathCount(int lb) {
        return paths[lb].length;
    }

    public int path(int lb, int i) {
        return paths[lb][i];
    }

    public int bucketCount(int lb) {
        return buckets[lb].length;
    }

    /** Routes currently pointing at {@code lb}. */
    public int lockCount(int lb) {
        return locks[lb];
    }

    /** Immutable flattened copy for workers; cached until the next change. */
    public Snapshot snapshot() {
        if (snapshot == null) {
            snapshot = new Snapshot(this);
        }
        return snapshot;
    }

    void lock(int lb) {
        if (!contains(lb)) {
            throw new IllegalArgumentException("no load balancer " + lb);
        }
        locks[lb]++;
    }

    void unlock(int lb) {
        if (locks[lb] <= 0) {
            throw new IllegalStateException("load balancer " + lb + " is not locked");
        }
        locks[lb]--;
    }

    /** Bucket count for {@code pathCount} equal-weight paths; a power of two. */
    static int bucketCountFor(int pathCount) {
        return pathCount == 1 ? 1 : Integer.highestOneBit(pathCount * BUCKETS_PER_PATH - 1) << 1;
    }

    private void install(int lb, int[] ordered) {
        int[] expanded = new int[bucketCountFor(ordered.length)];
        for (int b = 0; b < expanded.length; b++) {
            expanded[b] = ordered[b % ordered.length];
        }
        for (int adj : ordered) {
            adjacencies.lock(adj);
        }
        paths[lb] = ordered;
        buckets[lb] = expanded;
        snapshot = null;
    }

    private int[] checkedPaths(int[] adjacencyIndices) {
        if (adjacencyIndices.length < 1 || adjacencyIndices.length > MAX_PATHS) {
            throw new IllegalArgumentException("a load balancer has 1.." + MAX_PATHS + " paths, got "
                    + adjacencyIndices.length);
        }
        for (int i = 0; i < adjacencyIndices.length; i++) {
            int adj = adjacencyIndices[i];
            if (!adjacencies.contains(adj)) {
                throw new IllegalArgumentException("no adjacency " + adj);
            }
            for (int j = 0; j < i; j++) {
                if (adjacencyIndices[j] == adj) {
                    throw new IllegalArgumentException("adjacency " + adj + " appears twice");
                }
            }
        }
        return adjacencyIndices.clone();
    }

    private void requireMutable(int lb) {
        if (!contains(lb)) {
            throw new IllegalArgumentException("no load balancer " + lb);
        }
        if (lb == DROP || lb == PUNT) {
            throw new IllegalArgumentException("load balancer " + lb + " is permanent");
        }
    }

    private void grow() {
        int capacity = paths.length * 2;
        paths = Arrays.copyOf(paths, capacity);
        buckets = Arrays.copyOf(buckets, capacity);
        locks = Arrays.copyOf(locks, capacity);
        free = Arrays.copyOf(free, capacity);
    }

    /**
     * What workers read. Every load balancer is flattened into three shared arrays: a four-int
     * descriptor per index (bucket base, bucket mask, path base, path count), the buckets, and
     * the paths, so {@link #pick} is three reads from two arrays. Indices freed before the
     * capture read as {@link #DROP}.
     */
    public static final class Snapshot {
        private static final int DESCRIPTOR = 4;

        private final int[] descriptors;
        private final int[] buckets;
        private final int[] paths;

        private Snapshot(LoadBalanceTable table) {
            int bucketTotal = 0;
            int pathTotal = 0;
            for (int lb = 0; lb < table.size; lb++) {
                if (table.paths[lb] != null) {
                    bucketTotal += table.buckets[lb].length;
                    pathTotal += table.paths[lb].length;
                }
            }
            descriptors = new int[table.size * DESCRIPTOR];
            buckets = new int[bucketTotal];
            paths = new int[pathTotal];
            int bucketAt = 0;
            int pathAt = 0;
            for (int lb = 0; lb < table.size; lb++) {
                int d = lb * DESCRIPTOR;
                if (table.paths[lb] == null) {
                    System.arraycopy(descriptors, DROP * DESCRIPTOR, descriptors, d, DESCRIPTOR);
                    continue;
                }
                int[] b = table.buckets[lb];
                int[] p = table.paths[lb];
                System.arraycopy(b, 0, buckets, bucketAt, b.length);
                System.arraycopy(p, 0, paths, pathAt, p.length);
                descriptors[d] = bucketAt;
                descriptors[d + 1] = b.length - 1;
                descriptors[d + 2] = pathAt;
                descriptors[d + 3] = p.length;
                bucketAt += b.length;
                pathAt += p.length;
            }
        }

        public int size() {
            return descriptors.length / DESCRIPTOR;
        }

        /** The adjacency {@code flowHash} selects in {@code lb}; the same hash always selects the same one. */
        public int pick(int lb, int flowHash) {
            int d = lb * DESCRIPTOR;
            return buckets[descriptors[d] + (flowHash & descriptors[d + 1])];
        }

        public int pathCount(int lb) {
            return descriptors[lb * DESCRIPTOR + 3];
        }

        public int path(int lb, int i) {
            return paths[descriptors[lb * DESCRIPTOR + 2] + i];
        }

        public int bucketCount(int lb) {
            return descriptors[lb * DESCRIPTOR + 1] + 1;
        }
    }
}
