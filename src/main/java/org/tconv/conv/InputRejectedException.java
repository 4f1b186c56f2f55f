package org.tconv.conv;

/** An input that cannot be convolved with the given spec; the message is the reason users see. */
public final class InputRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
