package org.tconv.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * {@code tconv spectrum} against numpy's dense SVD of T, where T was built by PyTorch's own convolution of
 * every basis vector (src/test/python/make_spectra.py): 1-D, 2-D and 3-D, strides, dilation, groups, every
 * padding mode, with each operator (sparse, block, direct, lines, and spark on a third of them); the transposed convolutions against
 * the dense SVD of T built by torch.nn.ConvTranspose1d/2d/3d (src/test/python/make_spectra_transposed.py);
 * and the FFT formula against the same dense SVD (all values) for the circular cases.
 */
class SpectrumGoldenTest {
    static final Path GOLDEN = TestFiles.home().resolve("src/test/resources/golden/spectra");

    record Case(String name, String shape, String stride, String padding, String dilation, String groups, String mode,
                int rows, int cols) {
        Path weights() { return GOLDEN.resolve(name).resolve("weight.npy"); }

        double[] singular() throws IOException { return TestFiles.read(GOLDEN.resolve(name).resolve("singular.npy")).data; }

        String[] options() {
            return new String[] {"--weights", weights().toString(), "--input-shape", shape, "--stride", stride, "--padding", padding,
                    "--dilation", dilation, "--groups", groups, "--padding-mode", mode};
        }

        ConvGeometry geometry() throws IOException {
            NpyArray w = TestFiles.read(weights());
            ConvSpec spec = ConvSpec.builder(w.shape, w.data).stride(IntTuple.parse("stride", stride))
                    .padding(Padding.parse(padding)).dilation(IntTuple.parse("dilation", dilation))
                    .groups(Integer.parseInt(groups)).paddingMode(PaddingMode.parse(mode)).build();
            return spec.geometry(Stream.of(shape.split(",")).mapToInt(Integer::parseInt).toArray());
        }

        @Override public String toString() { return name; }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(GOLDEN.resolve("cases.csv"))) {
            for (CSVRecord c : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                cases.add(new Case(c.get("name"), c.get("input_shape"), c.get("stride"), c.get("padding"), c.get("dilation"),
                        c.get("groups"), c.get("padding_mode"), Integer.parseInt(c.get("rows")), Integer.parseInt(c.get("cols"))));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cliMatchesDenseSvdWithEveryOperator(Case c, @TempDir Path dir) throws IOException {
        assertMatchesDenseSvd(c.toString(), c.singular(), c.rows, c.cols, c.options(), dir);
    }

    record TransposedCase(String name, String shape, String stride, String padding, String outputPadding, String dilation,
                          String groups, int rows, int cols) {
        String[] options() {
            return new String[] {"--transposed", "--weights", TRANSPOSED.resolve(name).resolve("weight.npy").toString(),
                    "--input-shape", shape, "--stride", stride, "--padding", padding, "--output-padding", outputPadding,
                    "--dilation", dilation, "--groups", groups};
        }

        @Override public String toString() { return name; }
    }

    static final Path TRANSPOSED = GOLDEN.resolve("transposed");

    static Stream<TransposedCase> transposedCases() throws IOException {
        List<TransposedCase> cases = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(TRANSPOSED.resolve("cases.csv"))) {
            for (CSVRecord c : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                cases.add(new TransposedCase(c.get("name"), c.get("input_shape"), c.get("stride"), c.get("padding"),
                        c.get("output_padding"), c.get("dilation"), c.get("groups"), Integer.parseInt(c.get("rows")),
                        Integer.parseInt(c.get("cols"))));
            }
        }
        assertEquals(6, cases.size());
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transposedCases")
    void transposedMatchesDenseSvdOfConvTranspose(TransposedCase c, @TempDir Path dir) throws IOException {
        double[] expected = TestFiles.read(TRANSPOSED.resolve(c.name).resolve("singular.npy")).data;
        assertMatchesDenseSvd(c.toString(), expected, c.rows, c.cols, c.options(), dir);
    }

    /**
     * Every in-process operator on every case; the line product on Spark tasks (one Spark job per Gram
     * product, ~20 ms each even here) on every third case by name, 1-D to 3-D, transposed ones among them.
     */
    private static List<String> operators(String c) {
        List<String> ops = new ArrayList<>(List.of("sparse", "block", "direct", "lines"));
        if (Math.floorMod(c.hashCode(), 3) == 0) ops.add("spark");
        return ops;
    }

    private static void assertMatchesDenseSvd(String c, double[] expected, int rows, int cols, String[] options, Path dir)
            throws IOException {
        int k = Math.min(8, Math.min(rows, cols) - 1);
        for (String operator : operators(c)) {
            Path out = dir.resolve(operator + ".npy");
            List<String> args = new ArrayList<>(List.of("spectrum"));
            args.addAll(List.of(options));
            args.addAll(List.of("--top", Integer.toString(k), "--operator", operator, "--output", out.toString()));
            Cli r = Cli.run(args.toArray(new String[0]));
            assertEquals(0, r.status, r.toString());
            assertTrue(r.out.contains("(" + operator + " products)"), r.out);
            NpyArray got = TestFiles.read(out);
            assertEquals(List.of(k), List.of(got.shape[0]));
            assertEquals(1, got.shape.length);
            for (int i = 0; i < k; i++) {
                assertEquals(expected[i], got.data[i], 1e-9 * expected[0], c + " " + operator + " sigma[" + i + "]");
            }
            assertTrue(r.out.contains(String.format(java.util.Locale.ROOT, "spectral norm: %.15g", got.data[0])), r.out);
        }
    }

    @Test
    void fftFormulaGivesEverySingularValueOfTheCircularCases() throws IOException {
        int checked = 0;
        for (Case c : (Iterable<Case>) cases()::iterator) {
            ConvGeometry g = c.geometry();
            if (!CircularSpectrum.applies(g)) continue;
            double[] expected = c.singular();
            double[] fft = CircularSpectrum.all(g);
            assertEquals(expected.length, fft.length, c.name);
            for (int i = 0; i < fft.length; i++) assertEquals(expected[i], fft[i], 1e-12 * expected[0], c + " sigma[" + i + "]");
            checked++;
        }
        assertEquals(6, checked, "circular golden cases");
    }

    @Test
    void formulaDoesNotApplyToStridedOrPaddedShapes() throws IOException {
        for (Case c : (Iterable<Case>) cases()::iterator) {
            boolean circularSameSize = c.mode.equals("circular") && c.stride.equals("1");
            assertEquals(circularSameSize, CircularSpectrum.applies(c.geometry()), c.name);
        }
    }

    @Test
    void cliPrintsArpackBesideTheFftFormulaForCircularConvolutions(@TempDir Path dir) throws IOException {
        Case c = cases().filter(x -> x.name.equals("2d-circular-single")).findFirst().orElseThrow();
        // A single-channel 3x3 circular kernel on 8x8: every singular value but a few comes in pairs or fours.
        Cli r = Cli.run(Stream.concat(Stream.of("spectrum"), Stream.concat(Stream.of(c.options()),
                Stream.of("--top", "12", "--output", dir.resolve("s.npy").toString()))).toArray(String[]::new));
        assertEquals(0, r.status, r.toString());
        double[] expected = c.singular();
        assertTrue(r.out.contains("FFT formula"), r.out);
        assertEquals(12, r.out.lines().filter(l -> l.startsWith("sigma[") && l.contains(" arpack ") && l.contains(" fft ")
                && l.contains(" difference ")).count(), r.out);
        double[] got = TestFiles.read(dir.resolve("s.npy")).data;
        for (int i = 0; i < 12; i++) assertEquals(expected[i], got[i], 1e-9 * expected[0], "sigma[" + i + "]");
        assertTrue(Math.abs(expected[1] - expected[0]) < 1e-12 * expected[0],
                "the golden case must have a repeated largest value to test multiplicity");
    }

    @Test
    void refusesAnExistingOutputAndABadTop(@TempDir Path dir) throws IOException {
        Case c = cases().findFirst().orElseThrow();
        Path existing = Files.writeString(dir.resolve("mine.npy"), "not tconv's");
        Cli r = Cli.run(Stream.concat(Stream.of("spectrum"), Stream.concat(Stream.of(c.options()),
                Stream.of("--output", existing.toString()))).toArray(String[]::new));
        assertEquals(1, r.status, r.toString());
        assertTrue(r.err.contains("already exists (use --overwrite to replace it)"), r.err);
        assertEquals("not tconv's", Files.readString(existing));
        Cli replaced = Cli.run(Stream.concat(Stream.of("spectrum"), Stream.concat(Stream.of(c.options()),
                Stream.of("--output", existing.toString(), "--overwrite"))).toArray(String[]::new));
        assertEquals(0, replaced.status, replaced.toString());
        assertEquals(1, TestFiles.read(existing).data.length, "the old file is replaced by the new values");
        Path folder = Files.createDirectory(dir.resolve("folder.npy"));
        Cli notAFile = Cli.run(Stream.concat(Stream.of("spectrum"), Stream.concat(Stream.of(c.options()),
                Stream.of("--output", folder.toString(), "--overwrite"))).toArray(String[]::new));
        assertEquals(1, notAFile.status, notAFile.toString());
        assertTrue(notAFile.err.contains("is not a regular file"), notAFile.err);
        assertTrue(Files.isDirectory(folder));
        Cli top = Cli.run(Stream.concat(Stream.of("spectrum"), Stream.concat(Stream.of(c.options()),
                Stream.of("--top", "22", "--output", dir.resolve("s.npy").toString()))).toArray(String[]::new));
        assertEquals(1, top.status, top.toString());
        assertTrue(top.err.contains("--top must be between 1 and 21"), top.err);
        assertTrue(Files.notExists(dir.resolve("s.npy")));
    }
}
