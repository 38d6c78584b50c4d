package dev.cipherlane.stages.fib;

import java.util.Arrays;

/**
 * Compiles IPv4 routes into a 16-8-8 multibit trie, the shape of VPP's {@code ip4_mtrie_16}:
 * a 65,536-slot root indexed by the top 16 address bits, and 256-slot plies for bits 16..23
 * and 24..31 created only under root slots (and ply slots) that a longer prefix needs.
 *
 * <p>Slot encoding: a non-negative slot is a leaf, the load balancer index itself; a negative
 * slot is {@code PLY_TAG | base}, the offset of a child ply in the shared {@code plies} array.
 * A lookup therefore reads one slot per level and stops at the first leaf: at most three reads.
 *
 * <p>Prefixes shorter than a level's stride are expanded: a /12 fills 16 root slots, a /20
 * fills 16 slots of a second-level ply. Overlaps are settled by order, not by bookkeeping:
 * routes are painted shortest first, so a longer prefix always overwrites the shorter ones it
 * sits inside, and a new ply starts as 256 copies of the slot it replaces (the best shorter
 * match so far). Removing a route is simply compiling without it, which restores the covering
 * route with no per-slot prefix-length record. The work is bounded by the slots painted:
 * each length paints at most the full level once, so compiling is linear in the routes plus
 * the plies.
 */
final class Ip4Mtrie {

    static final int PLY_SLOTS = 256;
    static final int PLY_TAG = 0x8000_0000;
    static final int PLY_BASE = 0x7FFF_FFFF;
    private static final int ROOT_SLOTS = 1 << 16;

    private final int[] root = new int[ROOT_SLOTS];
    private int[] plies = new int[PLY_SLOTS * 16];
    private int plyWords;

    private Ip4Mtrie(int defaultLb) {
        Arrays.fill(root, defaultLb);
    }

    /**
     * @param keys routes as {@code length << 32 | prefix}, sorted ascending (so by length)
     * @param lbs  load balancer of each key, non-negative
     */
    static Ip4Mtrie compile(long[] keys, int[] lbs, int defaultLb) {
        Ip4Mtrie trie = new Ip4Mtrie(defaultLb);
        for (int i = 0; i < keys.length; i++) {
            trie.paint((int) keys[i], (int) (keys[i] >>> 32), lbs[i]);
        }
        trie.plies = Arrays.copyOf(trie.plies, trie.plyWords);
        return trie;
    }

    int[] root() {
        return root;
    }

    int[] plies() {
        return plies;
    }

    private void paint(int prefix, int length, int lb) {
        if (length <= 16) {
            int first = prefix >>> 16;
            Arrays.fill(root, first, first + (1 << (16 - length)), lb);
            return;
        }
        int middle = middlePly(prefix >>> 16);
        int middleIndex = middle + ((prefix >>> 8) & 0xFF);
        if (length <= 24) {
            Arrays.fill(plies, middleIndex, middleIndex + (1 << (24 - length)), lb);
            return;
        }
        int leafIndex = leafPly(middleIndex) + (prefix & 0xFF);
        Arrays.fill(plies, leafIndex, leafIndex + (1 << (32 - length)), lb);
    }

    /*
     * The two helpers below return the base of the ply under a slot, creating it from the leaf
     * there if needed. Shortest-first painting guarantees that no shorter route lands in a ply
     * after it was created, so copying the leaf once is enough.
     */

    private int middlePly(int rootIndex) {
        int slot = root[rootIndex];
        if (slot < 0) {
            return slot & PLY_BASE;
        }
        int base = newPly(slot);
        root[rootIndex] = PLY_TAG | base;
        return base;
    }

    private int leafPly(int middleIndex) {
        int slot = plies[middleIndex];
        if (slot < 0) {
            return slot & PLY_BASE;
        }
        int base = newPly(slot);
        plies[middleIndex] = PLY_TAG | base;
        return base;
    }

    private int newPly(int fill) {
        if (plyWords + PLY_SLOTS > plies.length) {
            plies = Arrays.copyOf(plies, plies.length * 2);
        }
        int base = plyWords;
        plyWords += PLY_SLOTS;
        Arrays.fill(plies, base, base + PLY_SLOTS, fill);
        return base;
    }
}
