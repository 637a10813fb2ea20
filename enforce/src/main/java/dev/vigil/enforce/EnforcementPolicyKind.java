package dev.vigil.enforce;

import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.enforce.policy.PolicyParser;
import dev.vigil.policy.Enforcer;
import dev.vigil.policy.EnforcerContext;
import dev.vigil.policy.PolicyKind;
import dev.vigil.policy.YamlNode;

/** {@code vigil.dev/v1alpha1 EnforcementPolicy}: process enforcement (exec, open, connect, bind), pinned under "process". */
public final class EnforcementPolicyKind implements PolicyKind<EnforcementPolicy> {
    @Override public String apiVersion() { return EnforcementPolicy.API_VERSION; }

    @Override public String kind() { return EnforcementPolicy.KIND; }

    @Override public String pinName() { return "process"; }

    @Override public Class<EnforcementPolicy> policyClass() { return EnforcementPolicy.class; }

    @Override public EnforcementPolicy parse(YamlNode document) { return PolicyParser.parse(document); }

    @Override
    public Enforcer<EnforcementPolicy> enforcer(EnforcerContext context) {
        return ProcessEnforcer.start(context);
    }
}
