package dev.vigil.ebpf.feature;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** What the probe found: for each feature, supported or not and why. */
public record FeatureReport(String kernelRelease, Map<Feature, Result> results) {
    public record Result(boolean supported, String detail) {}

    public FeatureReport {
        results = Collections.unmodifiableMap(new EnumMap<>(results));
    }

    public boolean supports(Feature feature) {
        Result r = results.get(feature);
        return r != null && r.supported();
    }

    /** Throws the typed {@link FeatureUnsupportedException} when the feature is missing. */
    public void require(Feature feature) {
        if (!supports(feature)) {
            Result r = results.get(feature);
            throw new FeatureUnsupportedException(feature, r == null ? "not probed" : r.detail());
        }
    }

    /** A table like {@code bpftool feature probe}'s, one feature a line. */
    public String format() {
        StringBuilder sb = new StringBuilder("kernel ").append(kernelRelease).append('\n');
        for (Map.Entry<Feature, Result> e : results.entrySet()) {
            sb.append(String.format("%-18s %-4s %s%n", e.getKey().name().toLowerCase(),
                    e.getValue().supported() ? "yes" : "no", e.getValue().supported() ? e.getKey().description() : e.getValue().detail()));
        }
        return sb.toString();
    }
}
