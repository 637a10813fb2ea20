package dev.vigil.policy.cilium;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector as Cilium reads it: matchLabels and matchExpressions (In, NotIn, Exists,
 * DoesNotExist), all of which must hold. Keys may carry Cilium's source prefix ({@code k8s:}, {@code any:},
 * {@code container:}): it is dropped, so {@code k8s:io.kubernetes.pod.namespace} matches the CRI label of that name
 * and {@code app} matches a Docker label {@code app}. An empty selector selects every container.
 */
public record Selector(Map<String, String> matchLabels, List<Expression> matchExpressions) {
    public record Expression(String key, String operator, List<String> values) {}

    public static final Selector ALL = new Selector(Map.of(), List.of());

    public static String normalize(String key) {
        for (String p : new String[] {"any:", "k8s:", "container:", "docker:"}) {
            if (key.startsWith(p)) return key.substring(p.length());
        }
        return key;
    }

    public boolean matches(Map<String, String> labels) {
        for (var e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) return false;
        }
        for (Expression x : matchExpressions) {
            String v = labels.get(x.key());
            boolean ok = switch (x.operator()) {
                case "In" -> v != null && x.values().contains(v);
                case "NotIn" -> v == null || !x.values().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
            if (!ok) return false;
        }
        return true;
    }

    public boolean mentions(String key) {
        return matchLabels.containsKey(key) || matchExpressions.stream().anyMatch(x -> x.key().equals(key));
    }

    @Override
    public String toString() {
        if (matchLabels.isEmpty() && matchExpressions.isEmpty()) return "{}";
        StringBuilder sb = new StringBuilder();
        matchLabels.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
        for (Expression x : matchExpressions) {
            sb.append(sb.isEmpty() ? "" : ",").append(x.key()).append(' ').append(x.operator()).append(' ').append(x.values());
        }
        return sb.toString();
    }
}
