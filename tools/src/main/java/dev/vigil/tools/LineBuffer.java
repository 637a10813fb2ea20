package dev.vigil.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * printf-style columns written as bytes, straight from the record: no String, no Formatter per event, so a
 * tool printing every open keeps up with the kernel on the cores it shares with the workload. Strings
 * from the kernel (comm, paths) are copied as raw bytes, as the C tools print them.
 */
public final class LineBuffer {
    private static final int FLUSH_AT = 48 * 1024;
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024 + 8192];
    private int len;

    public LineBuffer(OutputStream out) {
        this.out = out;
    }

    /** Ends a line; writes the buffer out once it is nearly full. */
    public LineBuffer nl() {
        buf[len++] = '\n';
        if (len >= FLUSH_AT) {
            writeOut();
        }
        return this;
    }

    public LineBuffer ch(char c) {
        buf[len++] = (byte) c;
        return this;
    }

    public LineBuffer str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A part longer than the buffer (a folded stack of a deep JIT-compiled call chain) goes straight out. */
    private LineBuffer bytes(byte[] b) {
        if (b.length > buf.length) {
            writeOut();
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** {@code %-Ns} */
    public LineBuffer left(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        bytes(b);
        return spaces(width - b.length); // by length, not by position: writing the part may have flushed the buffer
    }

    /** {@code %Ns} */
    public LineBuffer right(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        spaces(width - b.length);
        return bytes(b);
    }

    private LineBuffer pad(int start, int width) {
        return spaces(width - (len - start));
    }

    private LineBuffer spaces(int n) {
        if (n > 0) {
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = ' ';
            }
        }
        return this;
    }

    /** {@code %d} */
    public LineBuffer dec(long v) {
        ensure(20);
        if (v == Long.MIN_VALUE) {
            return str("-9223372036854775808");
        }
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** {@code %-Nd} */
    public LineBuffer decLeft(long v, int width) {
        ensure(20);
        int start = len;
        dec(v);
        return pad(start, width);
    }

    /** {@code %Nd} */
    public LineBuffer decRight(long v, int width) {
        int digits = digits(v);
        spaces(width - digits);
        return dec(v);
    }

    private static int digits(long v) {
        int n = v < 0 ? 2 : 1;
        for (long x = Math.abs(v); x >= 10; x /= 10) {
            n++;
        }
        return n;
    }

    /** {@code %0No} */
    public LineBuffer octal(long v, int width) {
        String s = Long.toOctalString(v);
        for (int i = s.length(); i < width; i++) {
            ch('0');
        }
        return str(s);
    }

    /** {@code %-N.Mf} for a non-negative value given in units of 10^-M (e.g. milliseconds with M = 3). */
    public LineBuffer fixedLeft(long units, int decimals, int width) {
        ensure(64); // room for the number, so that writing it cannot flush and move the start
        int start = len;
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        dec(units / scale);
        if (decimals > 0) {
            ch('.');
            String frac = Long.toString(units % scale);
            for (int i = frac.length(); i < decimals; i++) {
                ch('0');
            }
            str(frac);
        }
        return pad(start, width);
    }

    /** The NUL-terminated bytes at {@code at} (at most {@code max}), left-aligned in {@code width}. */
    public LineBuffer cstrLeft(MemorySegment data, long at, int max, int width) {
        ensure(max); // room for the string, so that writing it cannot flush and move the start
        int start = len;
        cstr(data, at, max);
        return pad(start, width);
    }

    public LineBuffer cstr(MemorySegment data, long at, int max) {
        ensure(max);
        int n = 0;
        while (n < max) {
            byte b = data.get(ValueLayout.JAVA_BYTE, at + n);
            if (b == 0) {
                break;
            }
            buf[len + n] = b;
            n++;
        }
        len += n;
        return this;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            writeOut();
            if (n > buf.length) {
                throw new IllegalArgumentException("line part of " + n + " bytes");
            }
        }
    }

    private void writeOut() {
        try {
            out.write(buf, 0, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        len = 0;
    }

    /** Writes what is buffered and flushes the stream. */
    public void flush() {
        writeOut();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
