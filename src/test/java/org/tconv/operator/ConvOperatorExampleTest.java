package org.tconv.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * The example in {@link ConvOperator}'s Javadoc and in docs/library.md is this code, and its numbers are
 * the direct convolution's and a dense T's (made column by column from the direct loop, not from tconv's T).
 */
class ConvOperatorExampleTest {
    private record Result(ConvSpec spec, ConvOperator t, double[] x, double[] tx, double[] y, double[] back, SparseMatrix csr) {}

    private static Result example() {
        // EXAMPLE:begin
        double[] w = {1, 2, 1, 0, 0, 0, -1, -2, -1,   0, 1, 0, 1, -4, 1, 0, 1, 0};
        ConvSpec spec = ConvSpec.builder(new int[] {2, 1, 3, 3}, w)
                .padding(Padding.of(1)).bias(new double[] {0.5, -1}).build();
        ConvOperator t = ConvOperator.of(spec, 1, 4, 5); // Conv2d(1, 2, 3, padding=1) on a 4x5 image
        double[] x = new double[t.cols()];               // 20 values
        for (int i = 0; i < x.length; i++) x[i] = i % 7 - 3;
        double[] tx = t.apply(x);                        // T x: 40 values, no bias
        double[] y = t.convolve(x);                      // T x + b: what conv2d gives
        double[] back = t.applyAdjoint(y);               // T^T y: 20 values
        SparseMatrix csr = t.toSparseMatrix();           // T itself, 40 x 20, CSR
        // EXAMPLE:end
        return new Result(spec, t, x, tx, y, back, csr);
    }

    /** The lines between the markers, stripped. */
    private static List<String> exampleLines() throws IOException {
        List<String> src = Files.readAllLines(TestFiles.home().resolve("src/test/java/org/tconv/operator/ConvOperatorExampleTest.java"));
        int from = src.indexOf("        // EXAMPLE:begin"), to = src.indexOf("        // EXAMPLE:end");
        return src.subList(from + 1, to).stream().map(String::strip).collect(Collectors.toList());
    }

    @Test
    void theJavadocAndTheLibraryPageShowThisCode() throws IOException {
        String example = String.join("\n", exampleLines());
        String javadoc = Files.readAllLines(TestFiles.home().resolve("src/main/java/org/tconv/operator/ConvOperator.java")).stream()
                .map(l -> l.strip().replaceFirst("^\\* ?", "").strip()).collect(Collectors.joining("\n"));
        assertTrue(javadoc.contains(example), "ConvOperator's Javadoc does not show ConvOperatorExampleTest's example");
        String page = Files.readAllLines(TestFiles.home().resolve("docs/library.md")).stream().map(String::strip)
                .collect(Collectors.joining("\n"));
        assertTrue(page.contains(example), "docs/library.md does not show ConvOperatorExampleTest's example");
    }

    @Test
    void theExampleGivesTheDirectConvolutionAndTheDenseMatrixProducts() {
        Result r = example();
        ConvGeometry g = r.spec.geometry(new int[] {1, 4, 5});
        assertEquals(40, r.t.rows());
        assertEquals(20, r.t.cols());
        assertArrayEquals(new int[] {2, 4, 5}, r.t.outputShape());

        // the layer: the direct loop, bias included
        double[] direct = DirectConvolution.convolve(g, r.x, 0);
        assertArrayEquals(direct, r.y, 1e-12);

        // T, dense, column j = the bias-free direct convolution of the j-th unit vector
        ConvGeometry linear = r.spec.withoutBias().geometry(new int[] {1, 4, 5});
        double[][] dense = new double[40][20];
        for (int j = 0; j < 20; j++) {
            double[] e = new double[20];
            e[j] = 1;
            double[] col = DirectConvolution.convolve(linear, e, 0);
            for (int i = 0; i < 40; i++) dense[i][j] = col[i];
        }
        double[] tx = new double[40], back = new double[20];
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 20; j++) {
                tx[i] += dense[i][j] * r.x[j];
                back[j] += dense[i][j] * r.y[i];
            }
        }
        assertArrayEquals(tx, r.tx, 1e-12);
        assertArrayEquals(back, r.back, 1e-12);
        for (int i = 0; i < 40; i++) {
            assertEquals(direct[i] - (i < 20 ? 0.5 : -1), r.tx[i], 1e-12, "T x is the convolution without its bias, row " + i);
        }
        assertEquals(40, r.csr.numRows());
        assertEquals(20, r.csr.numCols());
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 20; j++) assertEquals(dense[i][j], r.csr.apply(i, j), 0.0, "T[" + i + "][" + j + "]");
        }
        // by hand: channel 1's first output is the Laplacian at the corner (zero padding) plus its bias -1
        assertEquals(-4 * r.x[0] + r.x[1] + r.x[5] - 1, r.y[20], 0.0);
    }
}
