package org.tconv.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.conv.RandomSpecs;
import org.tconv.operator.Gram;
import org.tconv.operator.SparseToeplitzMap;
import org.tconv.verify.DirectMap;

/**
 * The Gram product by line ranges against the direct loops' T^T (T v) (gather, then scatter over the
 * kernel's taps: no Toeplitz code), on random 1-D to 3-D convolutions and transposed convolutions with every
 * padding mode, strides, dilation, groups and bias (excluded); any split into ranges gives the same sum; and
 * the adjoint geometry of a forward convolution, in every padding mode (ConvTranspose offers only zeros),
 * is T transposed entry by entry.
 */
class GramLinesTest {
    @Test
    void gramByLineRangesIsTheDirectLoopsTransposeOfTheirProduct() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = trial % 4 == 3 ? RandomSpecs.drawTransposed(rnd) : RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            GramLines lines = new GramLines(g);
            Gram direct = Gram.of(new DirectMap(g));
            assertEquals(direct.dimension(), lines.dimension(), r + " side");
            double[] v = RandomSpecs.randomInput(rnd, lines.dimension());
            double[] expected = new double[v.length], got = new double[v.length];
            direct.apply(v, expected);
            lines.apply(v, got);
            double tol = 1e-12 * (maxAbs(expected) + 1e-300);
            for (int i = 0; i < v.length; i++) assertEquals(expected[i], got[i], tol, r + " (A^T A v)[" + i + "]");

            // Every split into ranges adds up to the same vector.
            int ranges = 1 + rnd.nextInt(Math.max(1, lines.lines()));
            List<GramLines.Partial> parts = new ArrayList<>();
            for (int k = 0; k < ranges; k++) parts.add(lines.partial(v, lines.lineFrom(k, ranges), lines.lineFrom(k + 1, ranges)));
            double[] split = new double[v.length];
            GramLines.sum(parts, split);
            for (int i = 0; i < v.length; i++) assertEquals(expected[i], split[i], tol, r + " " + ranges + " ranges [" + i + "]");
        }
    }

    @Test
    void theAdjointGeometryIsTTransposedInEveryPaddingMode() {
        Random rnd = new Random(5);
        int seen = 0;
        for (int trial = 0; trial < 200; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            ConvGeometry adj = g.adjoint();
            assertEquals(g.outputElements(), adj.inputElements());
            assertEquals(g.inputElements(), adj.outputElements());
            double[] y = RandomSpecs.randomInput(rnd, g.outputSize());
            double[] scatter = new double[g.inputSize()], byAdjoint = new double[g.inputSize()];
            new DirectMap(g).applyAdjoint(y, scatter);
            ConvOperator.of(adj).toSparseMap().apply(y, byAdjoint);
            double tol = 1e-12 * (maxAbs(scatter) + 1e-300);
            for (int i = 0; i < scatter.length; i++) assertEquals(scatter[i], byAdjoint[i], tol, r + " (T^T y)[" + i + "]");
            if (r.spec.paddingMode() != PaddingMode.ZEROS) seen++;
        }
        assertFalse(seen == 0, "no reflect, replicate or circular spec was drawn");
    }

    /** Partials travel from tasks to the driver through Kryo, which the shipped spark-defaults.conf sets (it refuses records). */
    @Test
    void partialsCrossSparksKryoSerializer() {
        ConvSpec spec = ConvSpec.builder(new int[] {4, 2, 3, 3}, RandomSpecs.randomInput(new Random(2), 72)).padding(Padding.of(1)).build();
        GramLines lines = new GramLines(spec.geometry(new int[] {2, 9, 7}));
        double[] v = RandomSpecs.randomInput(new Random(3), lines.dimension());
        GramLines.Partial p = lines.partial(v, 2, 5);
        scala.reflect.ClassTag<GramLines.Partial> tag = scala.reflect.ClassTag$.MODULE$.apply(GramLines.Partial.class);
        org.apache.spark.serializer.SerializerInstance kryo =
                new org.apache.spark.serializer.KryoSerializer(new org.apache.spark.SparkConf()).newInstance();
        GramLines.Partial back = kryo.deserialize(kryo.serialize(p, tag), tag);
        double[] a = new double[v.length], b = new double[v.length];
        p.addTo(a);
        back.addTo(b);
        assertFalse(java.util.Arrays.stream(a).allMatch(x -> x == 0.0), "the range reaches some input lines");
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0.0);
    }

    @Test
    void biasIsNotPartOfTheGramMatrix() {
        double[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        ConvSpec plain = ConvSpec.builder(new int[] {1, 1, 3, 3}, w).padding(Padding.of(1)).build();
        ConvSpec biased = ConvSpec.builder(new int[] {1, 1, 3, 3}, w).padding(Padding.of(1)).bias(new double[] {100}).build();
        double[] v = RandomSpecs.randomInput(new Random(1), 36), a = new double[36], b = new double[36];
        new GramLines(plain.geometry(new int[] {1, 6, 6})).apply(v, a);
        new GramLines(biased.geometry(new int[] {1, 6, 6})).apply(v, b);
        for (int i = 0; i < 36; i++) assertEquals(a[i], b[i], 0.0);
        assertThrows(IllegalStateException.class, () -> plain.forward());
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) m = Math.max(m, Math.abs(x));
        return m;
    }
}
