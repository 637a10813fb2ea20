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

    /** The kind reading documents of this apiVersion and kind (its own or one it {@link PolicyKind#alsoReads()}). */
    public Optional<PolicyKind<?>> byKind(String apiVersion, String kind) {
        return kinds.stream().filter(k -> k.apiVersion().equals(apiVersion) && (k.kind().equals(kind) || k.alsoReads().contains(kind)))
                .findFirst();
    }

    public Optional<PolicyKind<?>> byListKind(String apiVersion, String listKind) {
        return kinds.stream().filter(k -> k.apiVersion().equals(apiVersion) && itemKind(k, listKind) != null).findFirst();
    }

    /** The document kind whose list {@code listKind} is, for this kind; null if it is none of its lists. */
    public static String itemKind(PolicyKind<?> k, String listKind) {
        if (k.listKind().equals(listKind)) return k.kind();
        for (String also : k.alsoReads()) if ((also + "List").equals(listKind)) return also;
        return null;
    }

    /** For messages: "cilium.io/v2 CiliumNetworkPolicy, ...". */
    public String describe() {
        if (kinds.isEmpty()) return "none installed";
        List<String> names = new ArrayList<>();
        for (PolicyKind<?> k : kinds) {
            names.add(k.apiVersion() + " " + k.kind());
            k.alsoReads().forEach(a -> names.add(k.apiVersion() + " " + a));
        }
        return String.join(", ", names);
    }
}
