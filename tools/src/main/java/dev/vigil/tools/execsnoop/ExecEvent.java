package dev.vigil.tools.execsnoop;

import dev.vigil.ebpf.btf.StructView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One exec as execsnoop reports it, decoded from {@code struct execsnoop_event}
 * (bpf/include/vigil/execsnoop.h). {@link #LAYOUT} is Java's view of that struct, checked against the
 * object's BTF at load.
 *
 * @param bootTimeNs CLOCK_BOOTTIME at syscall exit
 * @param args the path exec'ed followed by argv[1..]
 * @param truncated argv had more arguments than --max-args
 */
public record ExecEvent(long bootTimeNs, int pid, int tid, int ppid, int uid, int retval, String comm,
        List<String> args, boolean truncated) {

    static final int COMM_LEN = 16;
    static final int TOTAL_MAX_ARGS = 60;
    static final int DEFAULT_MAX_ARGS = 20;
    static final int INVALID_UID = -1;

    static final StructView LAYOUT = StructView.builder("execsnoop_event", 7864)
            .field("ts_ns", 0, 8)
            .field("pid", 8, 4)
            .field("tid", 12, 4)
            .field("ppid", 16, 4)
            .field("uid", 20, 4)
            .field("retval", 24, 4)
            .field("args_size", 28, 4)
            .field("args_truncated", 32, 4)
            .field("comm", 40, COMM_LEN)
            .field("filename", 56, 128)
            .field("args", 184, 60 * 128)
            .build();

    private static final long TS = LAYOUT.field("ts_ns").offset();
    private static final long PID = LAYOUT.field("pid").offset();
    private static final long TID = LAYOUT.field("tid").offset();
    private static final long PPID = LAYOUT.field("ppid").offset();
    private static final long UID = LAYOUT.field("uid").offset();
    private static final long RETVAL = LAYOUT.field("retval").offset();
    private static final long ARGS_SIZE = LAYOUT.field("args_size").offset();
    private static final long TRUNCATED = LAYOUT.field("args_truncated").offset();
    private static final long COMM = LAYOUT.field("comm").offset();
    private static final long FILENAME = LAYOUT.field("filename").offset();
    private static final int FILENAME_LEN = (int) LAYOUT.field("filename").size();
    private static final long ARGS = LAYOUT.field("args").offset();

    public ExecEvent {
        args = List.copyOf(args);
    }

    /**
     * Decodes a record in place (it may be shorter than the struct: args are variable length). As
     * libbpf-tools does, the path exec'ed replaces argv[0]; at most {@code maxArgs} arguments are kept.
     */
    static ExecEvent decode(MemorySegment data, long offset, int length, int maxArgs) {
        int size = Math.min(data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + ARGS_SIZE), (int) Math.max(0, length - ARGS));
        boolean truncated = data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + TRUNCATED) != 0;
        List<String> args = new ArrayList<>(8);
        args.add(cString(data, offset + FILENAME, FILENAME_LEN));
        long p = offset + ARGS;
        long end = p + size;
        boolean first = true;
        while (p < end) {
            long nul = p;
            while (nul < end && data.get(ValueLayout.JAVA_BYTE, nul) != 0) {
                nul++;
            }
            if (!first) {
                if (args.size() == maxArgs) {
                    truncated = true;
                    break;
                }
                args.add(string(data, p, (int) (nul - p)));
            }
            first = false;
            p = nul + 1;
        }
        return new ExecEvent(
                data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + TS),
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + PID),
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + TID),
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + PPID),
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + UID),
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + RETVAL),
                cString(data, offset + COMM, COMM_LEN),
                args,
                truncated);
    }

    private static String cString(MemorySegment data, long at, int max) {
        int n = 0;
        while (n < max && data.get(ValueLayout.JAVA_BYTE, at + n) != 0) {
            n++;
        }
        return string(data, at, n);
    }

    private static String string(MemorySegment data, long at, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The command line as one string, as execsnoop prints it. */
    public String commandLine(boolean quote) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            if (quote) {
                sb.append('"').append(a.replace("\"", "\\\"")).append('"');
            } else {
                sb.append(a);
            }
        }
        if (truncated) {
            sb.append(" ...");
        }
        return sb.toString();
    }
}
