package org.tconv.explain;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.operator.LinearMap;
import org.tconv.operator.ConvOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What {@code tconv explain} reports about one convolution and input shape: the weight-sharing figures, the
 * measured equivariance and the pictures, as report.md (for a person), report.json (stable keys, for
 * programs; README documents them) and PNGs. Bias is outside T and only counted among the parameters.
 */
public final class Explanation {
    /** Receives each file of the report by name, so the caller decides where and how it is written. */
    public interface Files {
        void write(String name, Content content) throws IOException;
    }

    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private final ConvGeometry g;
    private final ConvOperator t;
    private final List<Equivariance.Shift> shifts;
    private final double scale;

    public Explanation(ConvGeometry g, LinearMap map) {
        this.g = g;
        this.t = ConvOperator.of(g);
        this.shifts = Equivariance.measure(g, map);
        this.scale = Equivariance.outputScale(g, map);
    }

    public List<Equivariance.Shift> shifts() { return shifts; }

    public long denseLayerParameters() { return g.denseEntries(); }

    /** Every figure, under the keys report.json promises. */
    public Map<String, Object> figures() {
        ConvSpec s = g.spec;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "tconv-explain/1");
        m.put("weights_shape", s.weightShape());
        m.put("input_shape", g.inputShape());
        m.put("output_shape", g.outputShape());
        Map<String, Object> conv = new LinkedHashMap<>();
        conv.put("dims", s.dims());
        conv.put("stride", last(s.dims(), s.strideD(), s.strideH(), s.strideW()));
        conv.put("padding_before", last(s.dims(), s.padFront(), s.padTop(), s.padLeft()));
        conv.put("padding_after", last(s.dims(), s.padBack(), s.padBottom(), s.padRight()));
        conv.put("dilation", last(s.dims(), s.dilationD(), s.dilationH(), s.dilationW()));
        conv.put("groups", s.groups());
        conv.put("padding_mode", s.paddingMode().toString());
        m.put("convolution", conv);
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("rows", g.outputElements());
        tm.put("cols", g.inputElements());
        tm.put("dense_entries", g.denseEntries());
        tm.put("stored_nonzeros", t.nonZeros());
        tm.put("density", (double) t.nonZeros() / g.denseEntries());
        tm.put("distinct_parameters", t.distinctParameters());
        tm.put("csr_bytes", g.csrBytes());
        m.put("toeplitz", tm);
        Map<String, Object> dense = new LinkedHashMap<>();
        dense.put("dense_layer_weights", g.denseEntries());
        dense.put("dense_layer_bias", g.outputElements());
        dense.put("convolution_weights", t.distinctParameters());
        dense.put("convolution_bias", (long) s.outChannels());
        dense.put("weight_ratio", (double) g.denseEntries() / t.distinctParameters());
        m.put("dense_layer_comparison", dense);
        Map<String, Object> eq = new LinkedHashMap<>();
        eq.put("seed", Equivariance.SEED);
        eq.put("input", "uniform in [-1, 1), java.util.Random(seed)");
        eq.put("shift", "torch.roll of the input along one axis; output rolled by shift / stride (integer division)");
        eq.put("output_scale", scale);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Equivariance.Shift sh : shifts) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("axis", sh.axis());
            e.put("shift", sh.shift());
            e.put("output_shift", sh.outputShift());
            e.put("multiple_of_stride", sh.multipleOfStride());
            e.put("interior_positions", sh.interiorPositions());
            e.put("border_positions", sh.borderPositions());
            e.put("interior_max_abs", sh.interiorMaxAbs());
            e.put("border_max_abs", sh.borderMaxAbs());
            list.add(e);
        }
        eq.put("shifts", list);
        m.put("equivariance", eq);
        Map<String, Object> pics = new LinkedHashMap<>();
        pics.put("sparsity", "sparsity.png");
        pics.put("sparsity_kind", SparsityPictures.exact(g) ? "exact" : "density");
        pics.put("weight_sharing", SparsityPictures.exact(g) ? "weight-sharing.png" : null);
        pics.put("equivariance", "equivariance.png");
        m.put("pictures", pics);
        return m;
    }

    private static int[] last(int dims, int d, int h, int w) {
        int[] all = {d, h, w};
        return Arrays.copyOfRange(all, 3 - dims, 3);
    }

    public void writeAll(Files files) throws IOException {
        Map<String, Object> f = figures();
        files.write("sparsity.png", out -> png(SparsityPictures.pattern(g), out));
        if (SparsityPictures.exact(g)) files.write("weight-sharing.png", out -> png(SparsityPictures.weights(g), out));
        files.write("equivariance.png", out -> png(EquivarianceChart.draw(shifts, scale), out));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        files.write("report.json", out -> out.write((json.writeValueAsString(f) + "\n").getBytes(StandardCharsets.UTF_8)));
        files.write("report.md", out -> out.write(markdown().getBytes(StandardCharsets.UTF_8)));
    }

    private static void png(BufferedImage img, OutputStream out) throws IOException {
        if (!ImageIO.write(img, "png", out)) throw new IOException("the JDK has no PNG writer");
    }

    String markdown() {
        ConvSpec s = g.spec;
        StringBuilder b = new StringBuilder();
        b.append("# What this convolution's matrix is\n\n");
        b.append(String.format(Locale.ROOT, "Weights %s, input %s, output %s; %s.%n%n", shape(s.weightShape()), shape(g.inputShape()),
                shape(g.outputShape()), s));
        b.append("`vec(conv(x)) = T vec(x) + bias`, with rows of T the output elements and columns the input elements (C order).\n\n");
        b.append("## Weight sharing\n\n| figure | value |\n| --- | ---: |\n");
        b.append(String.format(Locale.ROOT, "| T's shape | %d x %d |%n", g.outputElements(), g.inputElements()));
        b.append(String.format(Locale.ROOT, "| entries of a dense T | %d |%n", g.denseEntries()));
        b.append(String.format(Locale.ROOT, "| stored non-zeros | %d (%.4g%% of dense) |%n", t.nonZeros(), 100.0 * t.nonZeros() / g.denseEntries()));
        b.append(String.format(Locale.ROOT, "| weight positions (the kernel's taps, each repeated along T's diagonals) | %d |%n", t.distinctParameters()));
        b.append(String.format(Locale.ROOT, "| distinct weight values | %d |%n", distinctValues(s.weights())));
        String biases = s.hasBias() ? String.format(Locale.ROOT, " (+%d biases)", g.outputElements()) : "";
        String convBiases = s.hasBias() ? String.format(Locale.ROOT, " (+%d biases)", s.outChannels()) : "";
        b.append(String.format(Locale.ROOT, "%nA dense (fully connected) layer from %d inputs to %d outputs would have %d weights%s; "
                + "the convolution has %d weights%s: %.4g times fewer, because every row of T reuses the same kernel.%n%n",
                g.inputElements(), g.outputElements(), g.denseEntries(), biases, t.distinctParameters(), convBiases,
                (double) g.denseEntries() / t.distinctParameters()));
        b.append(SparsityPictures.exact(g)
                ? "![T's non-zero pattern](sparsity.png)\n\n![T coloured by weight](weight-sharing.png)\n\n"
                : "![density map of T's non-zeros](sparsity.png)\n\n");
        b.append("## Translation equivariance, measured\n\n");
        b.append(String.format(Locale.ROOT, "Seeded random input (seed %d, uniform in [-1, 1)), rolled along one axis; largest "
                + "|conv(shift(x)) - shift(conv(x))| with the output shifted by shift / stride, relative to the output's largest "
                + "magnitude (%.4g), as in the chart (report.json has the absolute values). Interior: output positions whose "
                + "receptive field lies inside the input before and after the shift; n/a where there is none.%n%n", Equivariance.SEED, scale));
        b.append("| axis | input shift | output shift | multiple of stride | interior max diff (relative) | border max diff (relative) | interior / border positions |\n");
        b.append("| --- | ---: | ---: | --- | ---: | ---: | ---: |\n");
        double unit = scale > 0 ? scale : 1.0; // an all-zero kernel: plain differences, as the chart shows them
        for (Equivariance.Shift sh : shifts) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %d / %d |%n", sh.axis(), sh.shift(), sh.outputShift(),
                    sh.multipleOfStride() ? "yes" : "no", relative(sh.interiorPositions(), sh.interiorMaxAbs(), unit),
                    relative(sh.borderPositions(), sh.borderMaxAbs(), unit), sh.interiorPositions(), sh.borderPositions()));
        }
        b.append("\n![equivariance](equivariance.png)\n");
        return b.toString();
    }

    private static String relative(long positions, double maxAbs, double unit) {
        return positions == 0 ? "n/a" : String.format(Locale.ROOT, "%.3g", maxAbs / unit);
    }

    private static long distinctValues(double[] w) {
        return Arrays.stream(w).map(v -> v == 0 ? 0.0 : v).distinct().count(); // -0.0 and 0.0 are one value
    }

    private static String shape(int[] s) {
        return "(" + IntTuple.format(s) + ")";
    }
}
