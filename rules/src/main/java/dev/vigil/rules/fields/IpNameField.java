package dev.vigil.rules.fields;

import dev.vigil.events.EventView;
import dev.vigil.events.FdView;

/**
 * fd.sip.name and its kin: compared with {@code =}, {@code !=} or {@code in}, the names are resolved
 * ({@link DomainNames}) and the fd's address is tested against their addresses; printed, the value is the
 * producer's name for the address, else a watched name that resolves to it.
 */
public final class IpNameField extends Extractor {
    private final char which;

    IpNameField(String name, char which) {
        super(name, FieldType.CHARBUF);
        this.which = which;
    }

    private boolean server(FdView f) {
        return switch (which) {
            case 's' -> true;
            case 'c' -> false;
            case 'l' -> f.role() == FdView.ROLE_SERVER;
            default -> f.role() != FdView.ROLE_SERVER;
        };
    }

    /** The name the producer gave the address (a capture's, a test's), or null. */
    public CharSequence producerName(EventView e) {
        FdView f = e.fd();
        return f == null ? null : server(f) ? f.serverIpName() : f.clientIpName();
    }

    @Override public CharSequence str(EventView e) {
        FdView f = e.fd();
        if (f == null) return null;
        boolean server = server(f);
        CharSequence n = server ? f.serverIpName() : f.clientIpName();
        if (n != null || !f.hasTuple()) return n;
        return server ? DomainNames.shared().nameOf(f.serverIpHi(), f.serverIpLo())
                : DomainNames.shared().nameOf(f.clientIpHi(), f.clientIpLo());
    }

    /** The address whose name this is. */
    @Override public boolean hasIp(EventView e) {
        FdView f = e.fd();
        return f != null && f.hasTuple();
    }

    @Override public long ipHi(EventView e) {
        FdView f = e.fd();
        return server(f) ? f.serverIpHi() : f.clientIpHi();
    }

    @Override public long ipLo(EventView e) {
        FdView f = e.fd();
        return server(f) ? f.serverIpLo() : f.clientIpLo();
    }
}
