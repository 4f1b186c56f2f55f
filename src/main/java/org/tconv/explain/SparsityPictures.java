package org.tconv.explain;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.ConvOperator;
import org.tconv.verify.DirectMap;

/**
 * Pictures of T drawn with the JDK's Java2D: its non-zero pattern (one cell per entry when T is small, a
 * density map of at most {@value #MAX_SIDE} x {@value #MAX_SIDE} cells when it is big) and, for small T, T with
 * each distinct weight in its own colour, so weight sharing shows as the same colours repeating along diagonals.
 */
final class SparsityPictures {
    /** T with at most this many entries is drawn entry by entry. */
    static final long EXACT_ENTRIES = 250_000;
    /** Up to this many weights each gets its own colour and legend line; beyond, entries are coloured by value. */
    static final int LEGEND_WEIGHTS = 20;
    static final int MAX_SIDE = 800;
    private static final int MARGIN_TOP = 60, MARGIN_LEFT = 70, MARGIN_RIGHT = 30, MARGIN_BOTTOM = 60;
    private static final Color INK = new Color(20, 40, 110);

    private SparsityPictures() {}

    static boolean exact(ConvGeometry g) {
        return g.denseEntries() <= EXACT_ENTRIES;
    }

    /** Pixels of one entry in the exact pictures: big enough to see, the whole T within about 800 px. */
    private static int cell(ConvGeometry g) {
        return (int) Math.max(1, Math.min(36, MAX_SIDE / Math.max(g.outputElements(), g.inputElements())));
    }

    static BufferedImage pattern(ConvGeometry g) {
        ConvOperator t = ConvOperator.of(g);
        int rows = t.rows(), cols = t.cols();
        if (exact(g)) {
            int c = cell(g);
            BufferedImage img = canvas(cols * c, rows * c);
            Graphics2D gr = graphics(img);
            t.forEachEntry(0, rows, (r, col, v) -> {
                gr.setColor(INK);
                gr.fillRect(MARGIN_LEFT + (int) col * c, MARGIN_TOP + (int) r * c, c, c); // exact(g): small T
            });
            grid(gr, rows, cols, c);
            frame(gr, rows, cols, c, c, String.format(Locale.ROOT, "T: %d x %d, %d stored non-zeros of %d entries (one square per entry, blue = non-zero)",
                    rows, cols, t.nonZeros(), t.denseEntries()));
            gr.dispose();
            return img;
        }
        // Density map: each cell covers a block of rows x cols; its shade is the share of non-zeros in it.
        double scale = (double) MAX_SIDE / Math.max(rows, cols);
        int gh = Math.max(1, (int) Math.ceil(rows * scale)), gw = Math.max(1, (int) Math.ceil(cols * scale));
        long[] count = new long[gh * gw];
        t.forEachEntry(0, rows, (r, col, v) -> count[(int) ((long) r * gh / rows) * gw + (int) ((long) col * gw / cols)]++);
        double cellEntries = ((double) rows / gh) * ((double) cols / gw);
        double maxShare = 0;
        for (long n : count) maxShare = Math.max(maxShare, n / cellEntries);
        BufferedImage img = canvas(gw, gh);
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                double share = count[i * gw + j] / cellEntries;
                // Log scale: a band of T is 1e-5 dense or less, linear shading would leave it white.
                double level = share == 0 ? 0 : 0.15 + 0.85 * Math.max(0, 1 + Math.log10(share / maxShare) / 6);
                img.setRGB(MARGIN_LEFT + j, MARGIN_TOP + i, shade(level).getRGB());
            }
        }
        Graphics2D gr = graphics(img);
        frame(gr, rows, cols, 1, 1, String.format(Locale.ROOT, "T: %d x %d, %d stored non-zeros (density map: each pixel ~%.0f x %.0f entries; darker = denser, log scale)",
                rows, cols, t.nonZeros(), (double) rows / gh, (double) cols / gw));
        gr.dispose();
        return img;
    }

    /** Small T with the weight each entry holds in its own colour; entries where padding folded several taps together are black. */
    static BufferedImage weights(ConvGeometry g) {
        ConvSpec s = g.spec;
        int rows = g.outputSize(), cols = g.inputSize();
        int[] tap = new int[rows * cols];
        java.util.Arrays.fill(tap, -1);
        int kVol = s.kernelDepth() * s.kernelHeight() * s.kernelWidth();
        new DirectMap(g).forEachTapEntry((r, c, co, cil, kd, ky, kx) -> {
            int id = ((co * s.inChannelsPerGroup() + cil) * s.kernelDepth() + kd) * s.kernelHeight() * s.kernelWidth()
                    + ky * s.kernelWidth() + kx;
            int at = r * cols + c;
            tap[at] = tap[at] == -1 ? id : -2;
        });
        int distinct = s.outChannels() * s.inChannelsPerGroup() * kVol;
        double[] w = s.weights();
        double maxAbs = 0;
        for (double v : w) maxAbs = Math.max(maxAbs, Math.abs(v));
        // Beyond LEGEND_WEIGHTS colours no longer tell weights apart: colour by value instead, with a scale.
        boolean byValue = distinct > LEGEND_WEIGHTS && maxAbs > 0;
        int c = cell(g);
        int legendRows = (distinct > LEGEND_WEIGHTS ? 12 : distinct) + 2;
        BufferedImage img = new BufferedImage(MARGIN_LEFT + cols * c + MARGIN_RIGHT + 230,
                Math.max(MARGIN_TOP + rows * c + MARGIN_BOTTOM, MARGIN_TOP + legendRows * 18 + 20), BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = graphics(img);
        gr.setColor(Color.WHITE);
        gr.fillRect(0, 0, img.getWidth(), img.getHeight());
        boolean folded = false;
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                int id = tap[r * cols + col];
                if (id == -1 || (id >= 0 && w[id] == 0)) continue; // a weight of 0 is drawn as the 0 it is
                folded |= id == -2;
                gr.setColor(id == -2 ? Color.BLACK : byValue ? diverging(w[id] / maxAbs) : colour(id, distinct));
                gr.fillRect(MARGIN_LEFT + (int) col * c, MARGIN_TOP + (int) r * c, c, c); // exact(g): small T
            }
        }
        grid(gr, rows, cols, c);
        frame(gr, rows, cols, c, c, String.format(Locale.ROOT, byValue
                ? "T: %d x %d built from %d weights, each entry coloured by its weight's value (blue < 0 < red)"
                : "T: %d x %d built from %d weights: each colour is one weight, repeated along T", rows, cols, distinct));
        int lx = MARGIN_LEFT + cols * c + MARGIN_RIGHT, ly = MARGIN_TOP;
        gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int next;
        if (byValue) {
            // Legend: a colour scale from -max to +max, zero white as the empty entries.
            int barH = 200;
            for (int y = 0; y < barH; y++) {
                gr.setColor(diverging(1 - 2.0 * y / (barH - 1)));
                gr.fillRect(lx, ly + y, 14, 1);
            }
            gr.setColor(Color.GRAY);
            gr.drawRect(lx, ly, 14, barH);
            gr.setColor(Color.BLACK);
            gr.drawString(String.format(Locale.ROOT, "%+.4g", maxAbs), lx + 20, ly + 10);
            gr.drawString("0 (drawn empty, as 0 is)", lx + 20, ly + barH / 2 + 5);
            gr.drawString(String.format(Locale.ROOT, "%+.4g", -maxAbs), lx + 20, ly + barH);
            next = ly + barH + 6;
        } else {
            // Legend: which colour is which weight, with its value.
            int[] ws = s.weightShape();
            for (int id = 0; id < distinct; id++) {
                gr.setColor(w[id] == 0 ? Color.WHITE : colour(id, distinct));
                gr.fillRect(lx, ly + id * 18, 14, 14);
                gr.setColor(Color.GRAY);
                gr.drawRect(lx, ly + id * 18, 14, 14);
                gr.setColor(Color.BLACK);
                gr.drawString(String.format(Locale.ROOT, "w%s = %.4g%s", index(id, ws), w[id], w[id] == 0 ? " (drawn empty)" : ""),
                        lx + 20, ly + id * 18 + 12);
            }
            next = ly + distinct * 18;
        }
        if (folded) {
            gr.setColor(Color.BLACK);
            gr.fillRect(lx, next + 20, 14, 14);
            gr.drawString("sum of several weights (padding)", lx + 20, next + 32);
        }
        gr.dispose();
        return img;
    }

    private static String index(int id, int[] shape) {
        int[] idx = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            idx[a] = id % shape[a];
            id /= shape[a];
        }
        return java.util.Arrays.toString(idx).replace(" ", "");
    }

    private static Color colour(int id, int distinct) {
        // Golden-angle hues: neighbouring weights get clearly different colours for any count.
        float hue = (float) ((id * 0.618033988749895) % 1.0);
        float bright = distinct > 12 && id % 2 == 1 ? 0.7f : 0.95f;
        return Color.getHSBColor(hue, 0.75f, bright);
    }

    /** The pixel at the centre of T's entry (row, col) in {@link #weights}' picture. */
    static int[] cellCentre(ConvGeometry g, int row, int col) {
        int c = cell(g);
        return new int[] {MARGIN_LEFT + col * c + c / 2, MARGIN_TOP + row * c + c / 2};
    }

    /** -1 blue, 0 white, +1 red. */
    private static Color diverging(double t) {
        double a = Math.max(-1, Math.min(1, t));
        int fade = (int) Math.round(255 * (1 - Math.abs(a)));
        return a >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }

    private static Color shade(double level) {
        int v = (int) Math.round(255 * (1 - level));
        return new Color(Math.min(255, v + (int) (40 * (1 - level))), Math.min(255, v + (int) (20 * level)), Math.min(255, 255 - (int) (110 * level)));
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(MARGIN_LEFT + w + MARGIN_RIGHT, MARGIN_TOP + h + MARGIN_BOTTOM, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = img.createGraphics();
        gr.setColor(Color.WHITE);
        gr.fillRect(0, 0, img.getWidth(), img.getHeight());
        gr.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D gr = img.createGraphics();
        gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return gr;
    }

    private static void grid(Graphics2D gr, int rows, int cols, int c) {
        if (c < 6) return;
        gr.setColor(new Color(225, 225, 225));
        gr.setStroke(new BasicStroke(1));
        for (int r = 0; r <= rows; r++) gr.drawLine(MARGIN_LEFT, MARGIN_TOP + r * c, MARGIN_LEFT + cols * c, MARGIN_TOP + r * c);
        for (int col = 0; col <= cols; col++) gr.drawLine(MARGIN_LEFT + col * c, MARGIN_TOP, MARGIN_LEFT + col * c, MARGIN_TOP + rows * c);
    }

    private static void frame(Graphics2D gr, int rows, int cols, int ch, int cw, String title) {
        int w = Math.max(1, (int) Math.ceil(cols * (double) cw)), h = Math.max(1, (int) Math.ceil(rows * (double) ch));
        if (cw == 1 && ch == 1) {
            double scale = (double) MAX_SIDE / Math.max(rows, cols);
            w = Math.max(1, (int) Math.ceil(cols * scale));
            h = Math.max(1, (int) Math.ceil(rows * scale));
        }
        gr.setColor(Color.GRAY);
        gr.drawRect(MARGIN_LEFT - 1, MARGIN_TOP - 1, w + 1, h + 1);
        gr.setColor(Color.BLACK);
        gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        gr.drawString(title, 10, 22);
        gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        gr.drawString("columns: input elements 0.." + (cols - 1) + " (channel, [depth,] row, col in C order)", MARGIN_LEFT, MARGIN_TOP - 10);
        // Row ticks right-aligned against the frame's left edge, column ticks under its bottom edge.
        java.awt.FontMetrics fm = gr.getFontMetrics();
        String lastRow = Integer.toString(rows - 1), lastCol = Integer.toString(cols - 1);
        gr.drawString("0", MARGIN_LEFT - 4 - fm.stringWidth("0"), MARGIN_TOP + fm.getAscent());
        gr.drawString(lastRow, MARGIN_LEFT - 4 - fm.stringWidth(lastRow), MARGIN_TOP + h);
        gr.drawString("0", MARGIN_LEFT, MARGIN_TOP + h + 4 + fm.getAscent());
        if (cols > 1) gr.drawString(lastCol, MARGIN_LEFT + w - fm.stringWidth(lastCol), MARGIN_TOP + h + 4 + fm.getAscent());
        java.awt.geom.AffineTransform old = gr.getTransform();
        gr.rotate(-Math.PI / 2);
        gr.drawString("rows: output elements", -(MARGIN_TOP + h / 2 + 60), MARGIN_LEFT - 40);
        gr.setTransform(old);
    }
}
