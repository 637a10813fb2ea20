package dev.vigil.policy;

/**
 * A kind of policy (the SPI): which documents it reads ({@code apiVersion} and {@code kind}), how it parses and
 * checks one without a kernel, and the enforcer that puts a set of them into the kernel. Implementations are found
 * with {@link java.util.ServiceLoader}: a module adds a kind by listing its class in
 * {@code META-INF/services/dev.vigil.policy.PolicyKind}, with no change to the loader.
 *
 * @param <P> the kind's parsed policy
 */
public interface PolicyKind<P extends Policy> {
    /** e.g. {@code cilium.io/v2}. */
    String apiVersion();

    /** e.g. {@code CiliumNetworkPolicy}. */
    String kind();

    /** The list document holding several ({@code items}); by Kubernetes convention {@code <kind>List}. */
    default String listKind() {
        return kind() + "List";
    }

    /**
     * Further document kinds (same apiVersion) read into this kind's policies and enforced by the same enforcer, each
     * with its own {@code <kind>List}: e.g. Cilium's clusterwide variant of its network policy, whose rules combine
     * with the namespaced ones (deny beats allow across both).
     */
    default java.util.List<String> alsoReads() {
        return java.util.List.of();
    }

    /** The folder name of this kind's pins under the pin root (e.g. {@code netpol}). */
    String pinName();

    /** The parsed policy's class, for the engine to group policies by kind. */
    Class<P> policyClass();

    /**
     * Parses and fully checks one document (the whole mapping, apiVersion and kind included); problems throw with
     * the position ({@link YamlNode#error}). Must not touch the kernel: {@code vigil policy validate} runs it.
     */
    P parse(YamlNode document);

    /** Parses a document of {@code kind}: {@link #kind()} or one of {@link #alsoReads()} (a list's item may not say). */
    default P parse(YamlNode document, String kind) {
        return parse(document);
    }

    /**
     * The kernel side, created once per agent. When {@code context.adopting()}, pins of an earlier run exist and the
     * enforcer takes them over (no moment unprotected) instead of loading afresh.
     */
    Enforcer<P> enforcer(EnforcerContext context);
}
