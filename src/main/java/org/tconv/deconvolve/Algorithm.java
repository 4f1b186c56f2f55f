package org.tconv.deconvolve;

import java.util.Locale;

/** {@code --algorithm}: which solver inverts T. */
public enum Algorithm {
    RICHARDSON_LUCY("richardson-lucy"),
    LSQR("lsqr");

    private final String flag;

    Algorithm(String flag) { this.flag = flag; }

    public static Algorithm parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (Algorithm a : values()) if (a.flag.equals(t)) return a;
        throw new IllegalArgumentException("--algorithm must be richardson-lucy or lsqr, got '" + s + "'");
    }

    @Override
    public String toString() { return flag; }
}
