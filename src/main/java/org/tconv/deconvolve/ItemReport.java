package org.tconv.deconvolve;

import java.io.Serializable;
import java.util.Locale;

/** One line of {@code _deconvolve.csv}: an item's iterations, why it stopped, its residual and --verify's difference. */
public final class ItemReport implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String HEADER = "path,item,iterations,stop,residual,verify_difference";

    public final String path;
    public final int item;
    public final int iterations;
    public final String stop;
    public final double residual;
    /** NaN without --verify. */
    public final double verifyDifference;

    ItemReport(String path, int item, int iterations, String stop, double residual, double verifyDifference) {
        this.path = path;
        this.item = item;
        this.iterations = iterations;
        this.stop = stop;
        this.residual = residual;
        this.verifyDifference = verifyDifference;
    }

    /** RFC 4180: a path may hold commas, quotes or line breaks. */
    public String csvLine() {
        return quoted(path) + "," + item + "," + iterations + "," + quoted(stop) + "," + String.format(Locale.ROOT, "%.17g", residual) + ","
                + (Double.isNaN(verifyDifference) ? "" : String.format(Locale.ROOT, "%.3e", verifyDifference));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
