package dev.vigil.containers;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal HTTP/1.1 client over a unix domain socket ({@link SocketChannel} + {@link UnixDomainSocketAddress}),
 * enough for the Docker Engine API: one request per connection ({@code Connection: close}), bodies by
 * Content-Length, chunked transfer coding or end of stream, every read bounded by a deadline (a non-blocking
 * channel and a selector), every body bounded in size. Streaming responses (Docker's /events) hand their
 * body lines to a callback as they arrive.
 */
final class UnixHttp {
    /** The socket is not there (or refuses): nobody to ask. */
    static final class Unavailable extends IOException {
        Unavailable(String m, Throwable cause) { super(m, cause); }
    }
    /** The peer did not answer within the deadline. */
    static final class Timeout extends IOException {
        Timeout(String m) { super(m); }
    }
    /** The peer answered something that is not HTTP/1.x as expected. */
    static final class Garbage extends IOException {
        Garbage(String m) { super(m); }
    }

    record Response(int status, byte[] body) {
        String text() { return new String(body, StandardCharsets.UTF_8); }
    }

    private final Path socket;
    private final long timeoutNanos;
    private final int maxBody;

    UnixHttp(Path socket, long timeoutNanos, int maxBody) {
        this.socket = socket;
        this.timeoutNanos = timeoutNanos;
        this.maxBody = maxBody;
    }

    Path socket() { return socket; }

    /** GET a path; the whole exchange (connect, request, response) within the timeout. */
    Response get(String path) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        try (Conn c = open(deadline)) {
            c.write("GET " + path + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: vigil\r\nAccept: application/json\r\n"
                    + "Connection: close\r\n\r\n", deadline);
            Head head = c.readHead(deadline);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.readBody(head, deadline, maxBody, line -> { }, out);
            return new Response(head.status, out.toByteArray());
        }
    }

    /** An open streaming response; {@link #close()} from another thread stops a blocked read. */
    final class Stream implements Closeable {
        private final Conn conn;
        private final Head head;

        private Stream(Conn conn, Head head) { this.conn = conn; this.head = head; }

        int status() { return head.status; }

        /** Reads the body until the peer ends it, calling {@code lines} with each complete line; no deadline. */
        void readLines(LineSink lines) throws IOException {
            conn.readBody(head, Long.MAX_VALUE, Integer.MAX_VALUE, lines, null);
        }

        /** The whole (error) body, bounded. */
        String readAll() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            conn.readBody(head, System.nanoTime() + timeoutNanos, maxBody, l -> { }, out);
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override public void close() { conn.close(); }
    }

    /** Opens a streaming GET: connection, request and response head within the timeout, the body without. */
    Stream stream(String path) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        Conn c = open(deadline);
        try {
            c.write("GET " + path + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: vigil\r\nConnection: close\r\n\r\n",
                    deadline);
            return new Stream(c, c.readHead(deadline));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    interface LineSink {
        void line(String line) throws IOException;
    }

    private record Head(int status, long contentLength, boolean chunked) {}

    private Conn open(long deadline) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new Unavailable("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        try {
            ch.configureBlocking(false);
            return new Conn(ch, Selector.open());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static final class Conn implements Closeable {
        private final SocketChannel ch;
        private final Selector sel;
        private final ByteBuffer buf = ByteBuffer.allocate(16 * 1024).flip();
        private boolean eof;

        Conn(SocketChannel ch, Selector sel) throws IOException {
            this.ch = ch;
            this.sel = sel;
            ch.register(sel, SelectionKey.OP_READ);
        }

        void write(String req, long deadline) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                if (ch.write(b) == 0) {
                    if (System.nanoTime() > deadline) throw new Timeout("request not accepted in time");
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted");
                    }
                }
            }
        }

        /** Refills the buffer; false at end of stream. */
        private boolean fill(long deadline) throws IOException {
            if (eof) return false;
            buf.compact();
            try {
                while (true) {
                    int n = ch.read(buf);
                    if (n < 0) { eof = true; return false; }
                    if (n > 0) return true;
                    if (!ch.isOpen()) throw new IOException("closed");
                    if (deadline == Long.MAX_VALUE) {
                        sel.select();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) throw new Timeout("no answer in time");
                        sel.select(Math.max(1, left / 1_000_000));
                    }
                    sel.selectedKeys().clear();
                }
            } finally {
                buf.flip();
            }
        }

        /** One CRLF- (or LF-) terminated line of at most max bytes, without the terminator; null at EOF. */
        private String readLine(long deadline, int max) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        byte[] a = line.toByteArray();
                        int len = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                        return new String(a, 0, len, StandardCharsets.UTF_8);
                    }
                    if (line.size() >= max) throw new Garbage("line longer than " + max + " bytes");
                    line.write(b);
                }
                if (!fill(deadline)) {
                    if (line.size() == 0) return null;
                    return line.toString(StandardCharsets.UTF_8);
                }
            }
        }

        Head readHead(long deadline) throws IOException {
            String status = readLine(deadline, 1024);
            if (status == null) throw new Garbage("connection closed before a response");
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
                throw new Garbage("not an HTTP/1.x status line: " + printable(status));
            }
            int code;
            try {
                code = Integer.parseInt(status.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new Garbage("bad status code: " + printable(status));
            }
            long length = -1;
            boolean chunked = false;
            for (int i = 0; ; i++) {
                if (i > 100) throw new Garbage("too many header lines");
                String h = readLine(deadline, 8192);
                if (h == null) throw new Garbage("connection closed in the response head");
                if (h.isEmpty()) break;
                int colon = h.indexOf(':');
                if (colon <= 0) throw new Garbage("bad header line: " + printable(h));
                String name = h.substring(0, colon).trim(), value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new Garbage("bad Content-Length: " + printable(value));
                    }
                    if (length < 0) throw new Garbage("negative Content-Length");
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase().contains("chunked");
                }
            }
            return new Head(code, length, chunked);
        }

        /**
         * Reads the body; each complete line goes to {@code lines}, the bytes also to {@code out} when not null
         * (bounded by max).
         */
        void readBody(Head head, long deadline, int max, LineSink lines, ByteArrayOutputStream out) throws IOException {
            LineSplitter split = new LineSplitter(lines, out, max);
            if (head.chunked) {
                while (true) {
                    String sizeLine = readLine(deadline, 1024);
                    if (sizeLine == null) throw new Garbage("chunked body ended without a last chunk");
                    int semi = sizeLine.indexOf(';');
                    String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
                    long size;
                    try {
                        size = Long.parseLong(hex, 16);
                    } catch (NumberFormatException e) {
                        throw new Garbage("bad chunk size: " + printable(sizeLine));
                    }
                    if (size < 0 || size > max) throw new Garbage("chunk of " + size + " bytes");
                    if (size == 0) {
                        // trailers until an empty line
                        String t;
                        do { t = readLine(deadline, 8192); } while (t != null && !t.isEmpty());
                        break;
                    }
                    copy(size, deadline, split);
                    String crlf = readLine(deadline, 2);
                    if (crlf == null || !crlf.isEmpty()) throw new Garbage("chunk not followed by CRLF");
                }
            } else if (head.contentLength >= 0) {
                if (head.contentLength > max) throw new Garbage("body of " + head.contentLength + " bytes");
                copy(head.contentLength, deadline, split);
            } else {
                while (buf.hasRemaining() || fill(deadline)) {
                    split.accept(buf, buf.remaining());
                }
            }
            split.finish();
        }

        private void copy(long n, long deadline, LineSplitter split) throws IOException {
            long left = n;
            while (left > 0) {
                if (!buf.hasRemaining() && !fill(deadline)) throw new Garbage("body ended " + left + " bytes early");
                int take = (int) Math.min(left, buf.remaining());
                split.accept(buf, take);
                left -= take;
            }
        }

        @Override
        public void close() {
            try { ch.close(); } catch (IOException ignored) { }
            sel.wakeup();
            try { sel.close(); } catch (IOException ignored) { }
        }
    }

    /** Splits body bytes into lines for a sink, and copies them to an optional bounded output. */
    private static final class LineSplitter {
        private final LineSink sink;
        private final ByteArrayOutputStream out;
        private final int max;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long total;

        LineSplitter(LineSink sink, ByteArrayOutputStream out, int max) {
            this.sink = sink;
            this.out = out;
            this.max = max;
        }

        void accept(ByteBuffer b, int n) throws IOException {
            total += n;
            if (total > max) throw new Garbage("body longer than " + max + " bytes");
            for (int i = 0; i < n; i++) {
                byte c = b.get();
                if (out != null) out.write(c);
                if (c == '\n') {
                    emit();
                } else {
                    if (line.size() >= 4 * 1024 * 1024) throw new Garbage("body line longer than 4 MiB");
                    line.write(c);
                }
            }
        }

        private void emit() throws IOException {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.isBlank()) sink.line(s);
        }

        void finish() throws IOException {
            if (line.size() > 0) emit();
        }
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
