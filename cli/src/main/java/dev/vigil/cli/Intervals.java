package dev.vigil.cli;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.tools.ToolOutput;
import java.time.Duration;

/** How the histogram tools run: a header, then a summary every interval (count times), or one at the end (interval validated by the caller, before load). */
final class Intervals {
    interface Summary {
        void print(BpfTool tool);
    }

    private Intervals() {}

    static int run(ToolSession session, BpfTool started, ToolOutput out, String header, ToolOptions.Interval interval, Summary summary)
            throws Exception {
        return session.run(started, t -> {
            if (header != null) {
                out.print(header + "\n");
                session.flush();
            }
            Duration every = interval.interval != null ? Duration.ofSeconds(interval.interval) : Duration.ofDays(3650);
            for (int i = 0; interval.count == null || i < interval.count; i++) {
                boolean stopped = t.awaitStop(every);
                summary.print(t);
                session.flush();
                if (stopped) {
                    break;
                }
            }
        });
    }

    /**
     * The tools whose -i INTERVAL and -d DURATION are options (funclatency, tcprtt): a summary every interval
     * (or once at the end), stopping after the duration; each validated here, before load.
     */
    static void validate(Integer interval, Integer duration) {
        if (interval != null && interval <= 0) throw new IllegalArgumentException("-i INTERVAL must be a positive number of seconds, got " + interval);
        if (duration != null && duration <= 0) throw new IllegalArgumentException("-d DURATION must be a positive number of seconds, got " + duration);
    }

    static int runTimed(ToolSession session, BpfTool started, ToolOutput out, String header, String footer, Integer interval,
            Integer duration, Summary summary) throws Exception {
        return session.run(started, t -> {
            if (header != null) {
                out.print(header + "\n");
                session.flush();
            }
            if (duration != null) {
                t.stopAfter(Duration.ofSeconds(duration));
            }
            Duration every = interval != null ? Duration.ofSeconds(interval) : Duration.ofDays(3650);
            boolean stopped;
            do {
                stopped = t.awaitStop(every);
                summary.print(t);
                session.flush();
            } while (!stopped);
            if (footer != null) {
                out.print(footer + "\n");
            }
        });
    }
}
