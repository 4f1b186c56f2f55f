package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tconv.conv.IntTuple;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.TestFiles;

/**
 * {@code --transposed} on the command line: PyTorch's refusals before Spark starts, inputs whose output would
 * be empty rejected beside good ones, and {@code toeplitz --transposed} writing T^T (checked against
 * torch.nn.ConvTranspose3d's golden output, not against tconv's own forward T).
 */
class TransposedCommandsTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void files() throws IOException {
        TestFiles.write(tmp.resolve("w.npy"), new int[] {2, 3, 3, 3}, new double[54]);
        TestFiles.write(tmp.resolve("w1.npy"), new int[] {1, 2, 1}, new double[] {1.5, -2.0});
        TestFiles.write(tmp.resolve("bias2.npy"), new int[] {2}, new double[2]);
        TestFiles.write(tmp.resolve("x.npy"), new int[] {2, 4, 4}, new double[32]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--transposed --padding same                  | ConvTranspose2d takes integer padding, got padding='same'",
            "--transposed --padding valid                 | ConvTranspose2d takes integer padding, got padding='valid'",
            "--transposed --padding-mode reflect          | Only \"zeros\" padding mode is supported for ConvTranspose2d",
            "--transposed --padding-mode circular         | Only \"zeros\" padding mode is supported for ConvTranspose2d",
            "--transposed --stride 2 --output-padding 2   | output padding must be smaller than either stride or dilation",
            "--transposed --stride 2,1 --output-padding 0,1 | output padding must be smaller than either stride or dilation",
            "--transposed --dilation 2 --output-padding 2 | output padding must be smaller than either stride or dilation",
            "--output-padding 1                           | --output-padding needs --transposed",
            "--transposed --output-padding 1,1,1          | output_padding 1,1,1 has 3 values but the weights are 2-D",
            "--transposed --output-padding -1             | output_padding must be non-negative",
            "--transposed --padding -1                    | padding must be non-negative",
            "--transposed --bias @/bias2.npy              | bias has 2 values, weights have C_out=3",
            "--transposed --groups 2 --bias @/bias2.npy   | bias has 2 values, weights have C_out=6",
            "--transposed --groups 3                      | in_channels 2 (weights dim 0) must be divisible by groups 3",
    })
    void refusedBeforeSparkWithOneLine(String options, String message) {
        String[] extra = options.trim().replace("@", tmp.toString()).split("\\s+");
        String out = tmp.resolve("out-" + Math.abs(options.hashCode())).toString();
        String[] base = {"run", "--input", tmp.resolve("x.npy").toString(), "--output", out, "--weights", tmp.resolve("w.npy").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Cli r = Cli.run(args);
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains(message), r::toString);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace");
        assertFalse(Files.exists(Path.of(out)), "nothing written");
    }

    @Test
    void theSameRefusalsInToeplitzAndSpectrum() {
        Cli t = Cli.run("toeplitz", "--weights", tmp.resolve("w.npy").toString(), "--input-shape", "2,4,4", "--transposed",
                "--padding-mode", "replicate", "--output", tmp.resolve("T.mtx").toString());
        assertEquals(1, t.status, t::toString);
        assertTrue(t.err.contains("Only \"zeros\" padding mode is supported for ConvTranspose2d"), t::toString);
        Cli s = Cli.run("spectrum", "--weights", tmp.resolve("w.npy").toString(), "--input-shape", "2,4,4", "--output-padding", "1",
                "--output", tmp.resolve("s.npy").toString());
        assertEquals(1, s.status, s::toString);
        assertTrue(s.err.contains("--output-padding needs --transposed"), s::toString);
        assertFalse(Files.exists(tmp.resolve("T.mtx")));
        assertFalse(Files.exists(tmp.resolve("s.npy")));
    }

    /**
     * ConvTranspose1d(1, 2, 1, padding=2): output length (L - 1) - 4 + 1, below 1 for L <= 4 (PyTorch: "Output
     * size is too small"). Such inputs are listed in _rejected.csv; the long one is written, with PyTorch's
     * numbers: a 1-tap transposed convolution copies x[i + 2] times each weight.
     */
    @Test
    void inputsWhoseOutputWouldBeEmptyAreRejectedTheOthersWritten() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("small-in"));
        TestFiles.write(in.resolve("a-short.npy"), new int[] {1, 4}, new double[] {1, 2, 3, 4});
        TestFiles.write(in.resolve("b-long.npy"), new int[] {1, 7}, new double[] {1, 2, 3, 4, 5, 6, 7});
        TestFiles.write(in.resolve("c-one.npy"), new int[] {1, 1}, new double[] {9});
        Path out = tmp.resolve("small-out");
        for (String method : List.of("toeplitz", "direct", "blockmatrix")) {
            Path o = out.resolve(method);
            Cli r = Cli.run("run", "--input", in.toString(), "--output", o.toString(), "--weights", tmp.resolve("w1.npy").toString(),
                    "--transposed", "--padding", "2", "--format", "npy", "--method", method);
            assertEquals(2, r.status, r::toString);
            Map<String, String> rejected = RejectedCsv.read(o);
            assertEquals(2, rejected.size(), rejected::toString);
            for (Map.Entry<String, String> e : rejected.entrySet()) {
                assertTrue(e.getKey().endsWith("a-short.npy") || e.getKey().endsWith("c-one.npy"), e::toString);
                assertTrue(e.getValue().contains("output size per channel") && e.getValue().contains("is too small"), e::toString);
            }
            NpyArray y = TestFiles.read(o.resolve("b-long.npy"));
            assertArrayEquals(new int[] {2, 3}, y.shape, IntTuple.format(y.shape));
            assertArrayEquals(new double[] {4.5, 6.0, 7.5, -6.0, -8.0, -10.0}, y.data, 1e-12, method);
        }
    }

    /**
     * T^T from {@code toeplitz --transposed}: its shape is (C_out*prod(out), C_in*prod(in)), and T^T times a
     * golden input gives torch.nn.ConvTranspose3d's output (bias outside T).
     */
    @Test
    void transposedMatrixTimesTheInputIsTorchsConvTranspose3d() throws IOException {
        Path dir = TestFiles.home().resolve("src/test/resources/golden/transposed/12-3d-groups-dilation");
        NpyArray x = TestFiles.read(dir.resolve("input.npy"));
        NpyArray expected = TestFiles.read(dir.resolve("expected.npy"));
        Path mtx = tmp.resolve("TT.mtx");
        Cli r = Cli.run("toeplitz", "--weights", dir.resolve("weight.npy").toString(), "--input-shape", IntTuple.format(x.shape),
                "--transposed", "--dilation", "1,2,1", "--output-padding", "0,1,0", "--groups", "2", "--output", mtx.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(mtx);
        assertTrue(lines.get(1).contains("ConvTranspose3d"), lines.get(1));
        int i = 1;
        while (lines.get(i).startsWith("%")) i++;
        String[] size = lines.get(i).split(" ");
        assertEquals(expected.data.length, Integer.parseInt(size[0]), "rows: C_out*oD*oH*oW");
        assertEquals(x.data.length, Integer.parseInt(size[1]), "columns: C_in*D*H*W");
        double[] y = new double[expected.data.length];
        for (String line : lines.subList(i + 1, lines.size())) {
            String[] p = line.split(" ");
            y[Integer.parseInt(p[0]) - 1] += Double.parseDouble(p[2]) * x.data[Integer.parseInt(p[1]) - 1];
        }
        double scale = 0;
        for (double v : expected.data) scale = Math.max(scale, Math.abs(v));
        for (int k = 0; k < y.length; k++) assertEquals(expected.data[k], y[k], 1e-12 * scale, "element " + k);
    }
}
