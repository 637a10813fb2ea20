package dev.vigil.containers;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a fault test opened, closed in reverse order by {@link #close()}; and fake runtime sockets: a unix
 * socket server whose connections each go to a handler on their own virtual thread. The accept threads add
 * to the list while a test runs, hence a concurrent list, copied before closing.
 */
final class Closer implements AutoCloseable {
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    <T extends AutoCloseable> T add(T c) {
        open.add(c);
        return c;
    }

    Path unixServer(Path p, Consumer<SocketChannel> handler) throws IOException {
        ServerSocketChannel srv = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        srv.bind(UnixDomainSocketAddress.of(p));
        Thread t = Thread.ofVirtual().start(() -> {
            while (srv.isOpen()) {
                try {
                    SocketChannel c = srv.accept();
                    open.add(c);
                    Thread.ofVirtual().start(() -> handler.accept(c));
                } catch (IOException e) {
                    return;
                }
            }
        });
        open.add(srv);
        open.add(t::interrupt);
        return p;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : new ArrayList<>(open).reversed()) c.close();
    }
}
