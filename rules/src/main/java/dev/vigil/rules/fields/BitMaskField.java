package dev.vigil.rules.fields;

import dev.vigil.events.EventView;

/**
 * A text field that is a set of names rendered from a bit mask (thread.cap_*), so that {@code contains NAME}
 * compiles to a bit test: a substring without the separator can only match inside one name.
 */
public interface BitMaskField {
    long mask(EventView e);

    int bitCount();

    String bitName(int bit);

    char separator();
}
