package dev.vigil.sensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A map from pid (a non-negative int) to a value, with open addressing and linear probing: the process
 * table looks a pid up on every event, and a {@code HashMap<Integer, V>} boxes every pid above 127 into a
 * fresh Integer there. Deletion shifts the following entries back, so no tombstones accumulate however
 * many processes come and go. Not thread-safe (the sensor's reader thread owns it).
 */
final class PidMap<V> {
    private static final int EMPTY = -1;
    private int[] keys;
    private Object[] values;
    private int size;
    private int mask;

    PidMap() {
        this(1024);
    }

    PidMap(int capacity) {
        int n = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1);
        keys = new int[n];
        Arrays.fill(keys, EMPTY);
        values = new Object[n];
        mask = n - 1;
    }

    private static int slot(int pid, int mask) {
        return (pid * 0x9E3779B9 >>> 7) & mask; // pids are dense and sequential: spread them
    }

    @SuppressWarnings("unchecked")
    V get(int pid) {
        if (pid < 0) return null;
        int[] k = keys;
        for (int i = slot(pid, mask); ; i = (i + 1) & mask) {
            int key = k[i];
            if (key == pid) return (V) values[i];
            if (key == EMPTY) return null;
        }
    }

    @SuppressWarnings("unchecked")
    V put(int pid, V value) {
        if (pid < 0) throw new IllegalArgumentException("negative pid " + pid);
        if ((size + 1) * 4 > keys.length * 3) grow();
        for (int i = slot(pid, mask); ; i = (i + 1) & mask) {
            if (keys[i] == pid) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            if (keys[i] == EMPTY) {
                keys[i] = pid;
                values[i] = value;
                size++;
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(int pid) {
        if (pid < 0) return null;
        int i = slot(pid, mask);
        while (keys[i] != pid) {
            if (keys[i] == EMPTY) return null;
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        // Backward shift: move up every later entry of the run whose home slot is not between the hole and it.
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        values[hole] = null;
        size--;
        return old;
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(values, null);
        size = 0;
    }

    /** A snapshot of the values (callers may change the map while going through it). */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY) out.add((V) values[i]);
        return out;
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        int n = oldKeys.length * 2;
        keys = new int[n];
        Arrays.fill(keys, EMPTY);
        values = new Object[n];
        mask = n - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int k = oldKeys[i];
                int j = slot(k, mask);
                while (keys[j] != EMPTY) j = (j + 1) & mask;
                keys[j] = k;
                values[j] = oldValues[i];
                size++;
            }
        }
    }
}
