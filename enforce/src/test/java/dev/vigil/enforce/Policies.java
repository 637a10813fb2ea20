package dev.vigil.enforce;

import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.PolicyLoader;
import java.util.List;

/** Parses policy text the way the agent does (the policy mechanism's loader, dispatching by kind). */
final class Policies {
    private Policies() {}

    static List<EnforcementPolicy> parse(String label, String yaml) {
        return PolicyLoader.installed().loadText(label, yaml).all().stream().map(EnforcementPolicy.class::cast).toList();
    }
}
