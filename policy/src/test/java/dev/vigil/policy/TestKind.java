package dev.vigil.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A policy kind for the mechanism's tests: {@code vigil.dev/test TestPolicy} with {@code spec.level}. */
public final class TestKind implements PolicyKind<TestKind.TestPolicy> {
    public record TestPolicy(String name, Position position, long level) implements Policy {}

    /** What the enforcers of this kind were asked, across instances (tests run one at a time). */
    static final List<List<TestPolicy>> APPLIED = new ArrayList<>();
    static final List<Boolean> ADOPTED = new ArrayList<>();

    @Override public String apiVersion() { return "vigil.dev/test"; }
    @Override public String kind() { return "TestPolicy"; }
    @Override public String pinName() { return "test"; }
    @Override public Class<TestPolicy> policyClass() { return TestPolicy.class; }

    @Override
    public TestPolicy parse(YamlNode doc) {
        doc.allowOnly(Set.of("apiVersion", "kind", "metadata", "spec"));
        String name = doc.require("metadata").require("name").text();
        YamlNode spec = doc.require("spec").allowOnly(Set.of("level"), Map.of("l7", "L7 is not supported"));
        return new TestPolicy(name, doc.position(), spec.require("level").integer(0, 10));
    }

    @Override
    public Enforcer<TestPolicy> enforcer(EnforcerContext context) {
        ADOPTED.add(context.adopting());
        return new Enforcer<>() {
            List<TestPolicy> now = List.of();
            @Override public void apply(List<TestPolicy> policies) { now = policies; APPLIED.add(policies); }
            @Override public List<Map<String, Object>> show() {
                return now.stream().map(p -> Map.<String, Object>of("name", p.name(), "level", p.level())).toList();
            }
            @Override public void close() {}
        };
    }
}
