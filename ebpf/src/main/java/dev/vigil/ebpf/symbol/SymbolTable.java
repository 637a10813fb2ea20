package dev.vigil.ebpf.symbol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Symbols sorted by address for lookups by binary search. An address resolves to the closest symbol
 * at or below it, if it lies within that symbol's size (a size of 0, as assembly and kallsyms give,
 * reaches up to the next symbol).
 */
public final class SymbolTable {
    /** One named address range. */
    public record Symbol(long address, long size, String name) {}

    /** A resolved address: the symbol and how far into it the address lies. */
    public record Hit(String name, long offset) {}

    public static final SymbolTable EMPTY = new SymbolTable(List.of());

    private final long[] addresses;
    private final long[] sizes;
    private final String[] names;

    public SymbolTable(List<Symbol> symbols) {
        List<Symbol> sorted = new ArrayList<>(symbols);
        // Among aliases at one address keep the sized one, then the shortest name (memcpy before __memcpy_avx...).
        sorted.sort(Comparator.comparingLong(Symbol::address)
                .thenComparing(s -> s.size() == 0)
                .thenComparingInt(s -> s.name().startsWith("_") ? 1 : 0)
                .thenComparingInt(s -> s.name().length()));
        List<Symbol> unique = new ArrayList<>(sorted.size());
        for (Symbol s : sorted) {
            if (unique.isEmpty() || unique.getLast().address() != s.address()) {
                unique.add(s);
            }
        }
        addresses = new long[unique.size()];
        sizes = new long[unique.size()];
        names = new String[unique.size()];
        for (int i = 0; i < unique.size(); i++) {
            addresses[i] = unique.get(i).address();
            sizes[i] = unique.get(i).size();
            names[i] = unique.get(i).name();
        }
    }

    public int size() {
        return addresses.length;
    }

    /** The symbol holding the address (unsigned compare: kernel addresses have the top bit set), or null. */
    public Hit lookup(long address) {
        int lo = 0;
        int hi = addresses.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return null;
        }
        long offset = address - addresses[found];
        if (sizes[found] > 0 ? Long.compareUnsigned(offset, sizes[found]) >= 0
                : found + 1 < addresses.length && Long.compareUnsigned(address, addresses[found + 1]) >= 0) {
            return null;
        }
        return new Hit(names[found], offset);
    }
}
