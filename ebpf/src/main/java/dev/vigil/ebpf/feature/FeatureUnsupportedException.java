package dev.vigil.ebpf.feature;

import dev.vigil.ebpf.BpfException;

/** A kernel feature this kernel does not allow: the typed "not supported here" that callers branch on. */
public final class FeatureUnsupportedException extends BpfException {
    private final Feature feature;

    public FeatureUnsupportedException(Feature feature, String reason) {
        super("this kernel (" + FeatureProbe.kernelRelease() + ") does not allow " + feature.description() + ": " + reason);
        this.feature = feature;
    }

    public Feature feature() {
        return feature;
    }
}
