package dev.vigil.tools.stacks;

import dev.vigil.ebpf.btf.StructView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** {@code struct vigil_stack_key} (bpf/include/vigil/stacks.h): a thread and its two stack ids. */
public record StackKey(int pid, int tgid, int userStackId, int kernelStackId, String comm) {
    /** bpf_get_stackid's "no stack here" (a kernel thread's user stack; a stack the tool did not collect). */
    public static final int EFAULT = -14;

    public static final StructView LAYOUT = StructView.builder("vigil_stack_key", 32)
            .field("pid", 0, 4)
            .field("tgid", 4, 4)
            .field("user_stack_id", 8, 4)
            .field("kern_stack_id", 12, 4)
            .field("comm", 16, 16)
            .build();

    public static StackKey decode(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        int n = 0;
        while (n < 16 && key[16 + n] != 0) {
            n++;
        }
        return new StackKey(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), new String(key, 16, n, StandardCharsets.UTF_8));
    }

    /** A stack that should have been there and was not (the stack map was full): BCC prints "[Missed ... Stack]". */
    static boolean missed(int stackId) {
        return stackId < 0 && stackId != EFAULT;
    }
}
