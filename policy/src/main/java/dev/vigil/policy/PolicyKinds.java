package dev.vigil.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The policy kinds on the class path (ServiceLoader), looked up by apiVersion and kind. */
public final class PolicyKinds {
    private final List<PolicyKind<?>> kinds;

    private PolicyKinds(List<PolicyKind<?>> kinds) {
        this.kinds = List.copyOf(kinds);
    }

    /** Every kind registered in META-INF/services/dev.vigil.policy.PolicyKind. */
    public static PolicyKinds installed() {
        List<PolicyKind<?>> all = new ArrayList<>();
        for (PolicyKind<?> k : ServiceLoader.load(PolicyKind.class, PolicyKinds.class.getClassLoader())) {
            all.add(k);
        }
        return new PolicyKinds(all);
    }

    /** Exactly these kinds (tests). */
    public static PolicyKinds of(PolicyKind<?>... kinds) {
        return new PolicyKinds(List.of(kinds));
    }

    public List<PolicyKind<?>> all() {
        return kinds;
    }

    public Optional<PolicyKind<?>> byKind(String apiVersion, String kind) {
        return kinds.stream().filter(k -> k.kind().equals(kind) && k.apiVersion().equals(apiVersion)).findFirst();
    }

    public Optional<PolicyKind<?>> byListKind(String apiVersion, String listKind) {
        return kinds.stream().filter(k -> k.listKind().equals(listKind) && k.apiVersion().equals(apiVersion)).findFirst();
    }

    /** For messages: "cilium.io/v2 CiliumNetworkPolicy, ...". */
    public String describe() {
        if (kinds.isEmpty()) return "none installed";
        return String.join(", ", kinds.stream().map(k -> k.apiVersion() + " " + k.kind()).toList());
    }
}
