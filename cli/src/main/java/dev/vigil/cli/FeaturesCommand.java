package dev.vigil.cli;

import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.feature.FeatureReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Like {@code bpftool feature probe}, for what Vigil chooses hooks by. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Probe which eBPF hooks this kernel allows (tracepoints, kprobes, fentry, LSM, ...).")
final class FeaturesCommand implements Callable<Integer> {
    @Option(names = "--json", description = "One JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Preflight.check(true);
        FeatureReport report = FeatureProbe.probe();
        if (json) {
            StringBuilder sb = new StringBuilder("{\"kernel\":\"").append(report.kernelRelease()).append("\",\"features\":{");
            boolean first = true;
            for (var e : report.results().entrySet()) {
                sb.append(first ? "" : ",").append('"').append(e.getKey().name().toLowerCase()).append("\":{\"supported\":")
                        .append(e.getValue().supported()).append(",\"detail\":\"")
                        .append(e.getValue().detail().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}");
                first = false;
            }
            System.out.println(sb.append("}}"));
        } else {
            System.out.print(report.format());
        }
        return 0;
    }
}
