package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PidMapTest {

    /** Random puts and removes over a small pid range (long probe runs, many backward shifts) agree with HashMap. */
    @Test
    void agreesWithHashMapUnderChurn() {
        PidMap<String> map = new PidMap<>(16);
        Map<Integer, String> ref = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int op = 0; op < 400_000; op++) {
            int pid = rnd.nextInt(op < 200_000 ? 3000 : 100_000);
            String v = "v" + op;
            // plain comparisons in the loop: AssertJ per operation would take seconds
            boolean same = switch (rnd.nextInt(3)) {
                case 0 -> Objects.equals(map.put(pid, v), ref.put(pid, v));
                case 1 -> Objects.equals(map.remove(pid), ref.remove(pid));
                default -> Objects.equals(map.get(pid), ref.get(pid));
            };
            if (!same || map.size() != ref.size()) fail("differs from HashMap at operation " + op + " on pid " + pid);
        }
        for (var e : ref.entrySet()) assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
        assertThat(map.values()).containsExactlyInAnyOrderElementsOf(ref.values());
        assertThat(map.get(-5)).isNull();
    }
}
