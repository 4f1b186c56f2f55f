package org.tconv.cli;

/** A problem with what the user asked for: printed as one line, exit status 1, before Spark starts. */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message, null, false, false);
    }
}
