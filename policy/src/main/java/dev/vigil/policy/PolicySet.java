package dev.vigil.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Policies loaded from files, grouped by kind in load order. Immutable. */
public final class PolicySet {
    private final Map<PolicyKind<?>, List<Policy>> byKind;

    PolicySet(Map<PolicyKind<?>, List<Policy>> byKind) {
        Map<PolicyKind<?>, List<Policy>> copy = new LinkedHashMap<>();
        byKind.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.byKind = copy;
    }

    public static PolicySet empty() {
        return new PolicySet(Map.of());
    }

    public List<PolicyKind<?>> kinds() {
        return List.copyOf(byKind.keySet());
    }

    /** This kind's policies (empty when none). */
    public <P extends Policy> List<P> of(PolicyKind<P> kind) {
        List<P> out = new ArrayList<>();
        for (Policy p : byKind.getOrDefault(kind, List.of())) {
            out.add(kind.policyClass().cast(p));
        }
        return out;
    }

    public List<Policy> all() {
        List<Policy> out = new ArrayList<>();
        byKind.values().forEach(out::addAll);
        return out;
    }

    public int size() {
        return byKind.values().stream().mapToInt(List::size).sum();
    }
}
