package dev.vigil.rules.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bounded LRU index against java.util's LinkedHashMap in access order, over random operations. */
class LruTableTest {
    @Test
    void behavesLikeAnAccessOrderedMapWithEviction() {
        Random r = new Random(7);
        for (int cap : new int[] {1, 3, 20, 64}) {
            LruTable t = new LruTable(cap);
            Map<Long, Integer> ref = new LinkedHashMap<>(16, 0.75f, true);
            long evictions = 0;
            for (int i = 0; i < 20_000; i++) {
                long key = r.nextInt(cap * 3) * 0x9E3779B97F4A7C15L; // clustered and spread keys
                int op = r.nextInt(10);
                int id = t.find(key);
                assertThat(id >= 0).isEqualTo(ref.containsKey(key));
                if (id >= 0) {
                    assertThat(id).isEqualTo(ref.get(key));
                    if (op < 2) {
                        t.removeId(id);
                        ref.remove(key);
                    } else {
                        t.touch(id);
                        ref.get(key);
                    }
                } else {
                    if (ref.size() == cap) {
                        Long oldest = ref.keySet().iterator().next();
                        assertThat(t.keyOf(t.oldest())).isEqualTo(oldest);
                        ref.remove(oldest);
                        evictions++;
                    }
                    ref.put(key, t.add(key));
                }
                assertThat(t.size()).isEqualTo(ref.size());
            }
            assertThat(t.evictions()).isEqualTo(evictions);
        }
    }
}
