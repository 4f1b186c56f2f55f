package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/** {@code tconv toeplitz}: the MatrixMarket file is T, column j being the convolution of basis vector j. */
class ToeplitzCommandTest {
    @TempDir
    Path tmp;

    @Test
    void matrixMarketFileIsTheConvolutionMatrix() throws IOException {
        Random rnd = new Random(3);
        double[] w = new double[3 * 2 * 2 * 3];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        double[] bias = {1.0, -2.0, 0.5};
        Path wf = TestFiles.write(tmp.resolve("w.npy"), new int[] {3, 2, 2, 3}, w);
        Path bf = TestFiles.write(tmp.resolve("b.npy"), new int[] {3}, bias);
        Path mtx = tmp.resolve("T.mtx");
        Cli r = Cli.run("toeplitz", "--weights", wf.toString(), "--bias", bf.toString(), "--input-shape", "2,5,6",
                "--padding", "same", "--padding-mode", "replicate", "--dilation", "2,1", "--output", mtx.toString());
        assertEquals(0, r.status, r::toString);

        List<String> lines = Files.readAllLines(mtx);
        assertEquals("%%MatrixMarket matrix coordinate real general", lines.get(0));
        int i = 1;
        while (lines.get(i).startsWith("%")) i++;
        String[] size = lines.get(i).split(" ");
        int rows = Integer.parseInt(size[0]), cols = Integer.parseInt(size[1]);
        long nnz = Long.parseLong(size[2]);
        assertEquals(3 * 5 * 6, rows);
        assertEquals(2 * 5 * 6, cols);
        assertEquals(nnz, lines.size() - i - 1);
        double[][] t = new double[rows][cols];
        for (String line : lines.subList(i + 1, lines.size())) {
            String[] p = line.split(" ");
            t[Integer.parseInt(p[0]) - 1][Integer.parseInt(p[1]) - 1] = Double.parseDouble(p[2]);
        }
        ConvSpec spec = ConvSpec.builder(new int[] {3, 2, 2, 3}, w).bias(bias).padding(Padding.same())
                .paddingMode(PaddingMode.REPLICATE).dilation(2, 1).build();
        ConvGeometry g = spec.geometry(new int[] {2, 5, 6});
        double[] zero = DirectConvolution.convolve(g, new double[cols], 0);
        for (int j = 0; j < cols; j++) {
            double[] e = new double[cols];
            e[j] = 1;
            double[] y = DirectConvolution.convolve(g, e, 0);
            for (int row = 0; row < rows; row++) assertEquals(y[row] - zero[row], t[row][j], 1e-12);
        }
        assertTrue(r.out.contains("entries of a dense matrix: " + (long) rows * cols), r.out);
        assertTrue(r.out.contains("stored non-zeros:          " + nnz), r.out);
        assertTrue(r.out.contains("distinct parameters:       36"), r.out);
    }

    /**
     * Conv3d: T from {@code --input-shape C,D,H,W} times a golden input (flattened in C order over
     * (channel, depth, row, col)) gives torch.nn.Conv3d's output, flattened the same way.
     */
    @Test
    void threeDMatrixTimesTheInputIsTorchsConv3d() throws IOException {
        Path dir = TestFiles.home().resolve("src/test/resources/golden/cases3d/04-reflect"); // padding 1,2,1, reflect
        NpyArray x = TestFiles.read(dir.resolve("input.npy"));
        NpyArray expected = TestFiles.read(dir.resolve("expected.npy"));
        assertEquals(4, x.shape.length, "(C, D, H, W)");
        Path mtx = tmp.resolve("T3.mtx");
        Cli r = Cli.run("toeplitz", "--weights", dir.resolve("weight.npy").toString(), "--input-shape",
                IntTuple.format(x.shape), "--padding", "1,2,1", "--padding-mode", "reflect", "--output", mtx.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(mtx);
        assertTrue(lines.get(1).endsWith("C-order flattenings of (channel, depth, row, col)"), lines.get(1));
        int i = 1;
        while (lines.get(i).startsWith("%")) i++;
        String[] size = lines.get(i).split(" ");
        assertEquals(expected.data.length, Integer.parseInt(size[0]), "rows: C_out*oD*oH*oW");
        assertEquals(x.data.length, Integer.parseInt(size[1]), "columns: C*D*H*W");
        double[] y = new double[expected.data.length];
        for (String line : lines.subList(i + 1, lines.size())) {
            String[] p = line.split(" ");
            y[Integer.parseInt(p[0]) - 1] += Double.parseDouble(p[2]) * x.data[Integer.parseInt(p[1]) - 1];
        }
        double scale = 0;
        for (double v : expected.data) scale = Math.max(scale, Math.abs(v));
        for (int k = 0; k < y.length; k++) assertEquals(expected.data[k], y[k], 1e-12 * scale, "element " + k);
    }

    @Test
    void threeDWeightsRefuseAnInputShapeOfTheWrongRank() throws IOException {
        Path wf = TestFiles.write(tmp.resolve("w5.npy"), new int[] {2, 1, 3, 3, 3}, new double[54]);
        Cli r = Cli.run("toeplitz", "--weights", wf.toString(), "--input-shape", "1,8,8", "--output", tmp.resolve("T.mtx").toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("--input-shape 1,8,8"), r.err);
        assertTrue(Files.notExists(tmp.resolve("T.mtx")));
    }

    @Test
    void inputShapeTheKernelDoesNotFitIsRefused() throws IOException {
        Path wf = TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 5}, new double[5]);
        Cli r = Cli.run("toeplitz", "--weights", wf.toString(), "--input-shape", "1,3", "--output", tmp.resolve("T.mtx").toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("smaller than the dilated kernel"), r.err);
    }

    private Path sobel() throws IOException {
        Random rnd = new Random(9);
        double[] w = new double[2 * 1 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        return TestFiles.write(tmp.resolve("w.npy"), new int[] {2, 1, 3, 3}, w);
    }

    private List<String> filesIn(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
        }
    }

    @Test
    void aMatrixOverMaxBytesIsRefusedUpFrontWithItsSize() throws IOException {
        Path w = sobel();
        Path dir = Files.createDirectories(tmp.resolve("m"));
        // 2 x 30x30 outputs, 9 taps each, rows of up to 4 digits: some 60 KB of text.
        Cli r = Cli.run("toeplitz", "--weights", w.toString(), "--input-shape", "1,32,32", "--max-bytes", "10000",
                "--output", dir.resolve("T.mtx").toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("1800 x 1024 with 16200 non-zeros") && r.err.contains("over --max-bytes 10000"), r.err);
        assertEquals(List.of(), filesIn(dir), "nothing written");

        // The default refuses what the issue saw stream ~400 GB to disk, before writing a byte.
        Cli big = Cli.run("toeplitz", "--weights", w.toString(), "--input-shape", "1,30000,30000", "--output", dir.resolve("T.mtx").toString());
        assertEquals(1, big.status, big::toString);
        assertTrue(big.err.contains("GB of MatrixMarket text"), big.err);
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void theEstimateBoundsTheFileFromAbove() throws IOException {
        Path w = sobel();
        Path mtx = tmp.resolve("T.mtx");
        Cli r = Cli.run("toeplitz", "--weights", w.toString(), "--input-shape", "1,32,32", "--max-bytes", "10000000", "--output", mtx.toString());
        assertEquals(0, r.status, r::toString);
        long size = Files.size(mtx);
        ConvSpec spec = ConvSpec.builder(new int[] {2, 1, 3, 3}, org.tconv.read.NpyArray.read(Files.readAllBytes(w)).data).build();
        long estimate = org.tconv.toeplitz.MatrixMarketWriter.estimatedBytes(1800, 1024, 16200, spec);
        assertTrue(size <= estimate && estimate < 1.5 * size, size + " bytes written, " + estimate + " estimated");
        assertEquals(List.of("T.mtx", "w.npy"), filesIn(tmp), "no temporary file left beside it");

        byte[] first = Files.readAllBytes(mtx);
        String[] again = {"toeplitz", "--weights", w.toString(), "--input-shape", "1,16,16", "--output", mtx.toString()};
        Cli refused = Cli.run(again);
        assertEquals(1, refused.status, refused::toString);
        assertTrue(refused.err.contains("already exists"), refused.err);
        assertArrayEquals(first, Files.readAllBytes(mtx), "an existing file is not replaced without --overwrite");
        String[] overwrite = java.util.Arrays.copyOf(again, again.length + 1);
        overwrite[again.length] = "--overwrite";
        assertEquals(0, Cli.run(overwrite).status);
        assertTrue(Files.size(mtx) < first.length, "--overwrite replaced it with the 16x16 matrix");
        assertEquals(List.of("T.mtx", "w.npy"), filesIn(tmp));
    }

    @Test
    void aShapeWhoseMatrixCannotBeNumberedIsAClearRefusal() throws IOException {
        Cli r = Cli.run("toeplitz", "--weights", sobel().toString(), "--input-shape", "1,100000,100000", "--output", tmp.resolve("T.mtx").toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("T would be 19999200008 x 10000000000"), r.err);
        assertTrue(!r.err.contains("overflow"), r.err);
    }

    @Test
    void aDirectoryAsOutputIsABadOption() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("T.mtx"));
        Files.write(dir.resolve("mine.txt"), new byte[] {1});
        Cli r = Cli.run("toeplitz", "--weights", sobel().toString(), "--input-shape", "1,8,8", "--output", dir.toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("is a directory"), r.err);
        assertEquals(List.of("mine.txt"), filesIn(dir));
    }
}
