package dev.vigil.rules.correlation;

import java.util.Arrays;

/**
 * A fixed-capacity map from 64-bit keys to dense ids {@code [0, capacity)}, kept in least-recently-used order:
 * open addressing (linear probing, backward-shift deletion) for the lookup, an intrusive doubly linked list over
 * the ids for the order. Every operation is O(1) and allocation-free; adding to a full table evicts the least
 * recently used entry and reuses its id (counted in {@link #evictions()}). Not thread-safe.
 */
final class LruTable {
    private static final int NONE = -1;

    private final int capacity;
    private final long[] slotKeys;  // index table: key per bucket
    private final int[] slotIds;    // index table: id + 1 per bucket, 0 = empty
    private final int mask;
    private final long[] keyOf;     // id -> key
    private final int[] prev, next; // id -> neighbours in LRU order
    private final int[] freeIds;
    private int free;
    private int head = NONE, tail = NONE, size;
    private long evictions;

    LruTable(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        this.capacity = capacity;
        int buckets = Integer.highestOneBit(Math.max(4, capacity + capacity / 2) - 1) << 1; // load at most 2/3
        this.slotKeys = new long[buckets];
        this.slotIds = new int[buckets];
        this.mask = buckets - 1;
        this.keyOf = new long[capacity];
        this.prev = new int[capacity];
        this.next = new int[capacity];
        this.freeIds = new int[capacity];
        clear();
    }

    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    int capacity() { return capacity; }

    int size() { return size; }

    long evictions() { return evictions; }

    /** The least recently used id, or -1 when empty. */
    int oldest() { return head; }

    long keyOf(int id) { return keyOf[id]; }

    /** The id of {@code key}, or -1; does not change the order. */
    int find(long key) {
        int b = (int) mix(key) & mask;
        while (true) {
            int v = slotIds[b];
            if (v == 0) return NONE;
            if (slotKeys[b] == key) return v - 1;
            b = (b + 1) & mask;
        }
    }

    /**
     * Adds {@code key} (not present) as the most recently used; returns its id, and sets {@link #evicted} when the
     * least recently used entry had to go to make room (its id is the one returned).
     */
    int add(long key) {
        evicted = false;
        int id;
        if (free > 0) {
            id = freeIds[--free];
        } else {
            id = head;
            removeId(id);
            evictions++;
            evicted = true;
            id = freeIds[--free];
        }
        keyOf[id] = key;
        int b = (int) mix(key) & mask;
        while (slotIds[b] != 0) b = (b + 1) & mask;
        slotKeys[b] = key;
        slotIds[b] = id + 1;
        link(id);
        size++;
        return id;
    }

    /** Whether the last {@link #add} evicted an entry. */
    boolean evicted;

    /** Makes {@code id} the most recently used. */
    void touch(int id) {
        if (id == tail) return;
        unlink(id);
        link(id);
    }

    /** Removes the entry with this id. */
    void removeId(int id) {
        long key = keyOf[id];
        int b = (int) mix(key) & mask;
        while (slotIds[b] != id + 1) b = (b + 1) & mask;
        // backward-shift deletion: move later entries of the probe run into the hole
        int hole = b;
        int j = (b + 1) & mask;
        while (slotIds[j] != 0) {
            int home = (int) mix(slotKeys[j]) & mask;
            boolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                slotKeys[hole] = slotKeys[j];
                slotIds[hole] = slotIds[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        slotIds[hole] = 0;
        unlink(id);
        freeIds[free++] = id;
        size--;
    }

    void clear() {
        Arrays.fill(slotIds, 0);
        for (int i = 0; i < capacity; i++) freeIds[i] = capacity - 1 - i;
        free = capacity;
        head = tail = NONE;
        size = 0;
    }

    private void link(int id) {
        prev[id] = tail;
        next[id] = NONE;
        if (tail != NONE) next[tail] = id;
        else head = id;
        tail = id;
    }

    private void unlink(int id) {
        int p = prev[id], n = next[id];
        if (p != NONE) next[p] = n;
        else head = n;
        if (n != NONE) prev[n] = p;
        else tail = p;
    }
}
