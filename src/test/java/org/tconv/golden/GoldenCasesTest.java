package org.tconv.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tconv.multiply.Method;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * Cases computed once with PyTorch ({@code src/test/python/make_golden.py} for Conv1d/Conv2d in
 * {@code cases/}, {@code make_golden_3d.py} for Conv3d in {@code cases3d/}, {@code make_golden_transposed.py} for
 * ConvTranspose1d/2d/3d in {@code transposed/}): each is run through {@code tconv run} with every method and must
 * give torch's numbers; the transposed ones also with {@code --verify}, against the direct scatter.
 */
class GoldenCasesTest {
    static final Path GOLDEN = TestFiles.home().resolve("src/test/resources/golden");
    /** Conv1d and Conv2d cases. */
    static final Path CASES = GOLDEN.resolve("cases");
    /** Conv3d cases. */
    static final Path CASES_3D = GOLDEN.resolve("cases3d");
    /** ConvTranspose1d/2d/3d cases. */
    static final Path CASES_TRANSPOSED = GOLDEN.resolve("transposed");

    @TempDir
    Path tmp;

    static Stream<Arguments> cases() throws IOException {
        return Stream.of(casesUnder(CASES, Method.values()), casesUnder(CASES_3D, Method.values()),
                casesUnder(CASES_TRANSPOSED, Method.values())).flatMap(s -> s);
    }

    static Stream<Arguments> casesUnder(Path root, Method... methods) throws IOException {
        List<Arguments> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                for (Method m : methods) all.add(Arguments.of(GOLDEN.relativize(d).toString(), m));
            }
        }
        assertFalse(all.isEmpty(), "no golden cases under " + root);
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, Method method) throws IOException {
        Path dir = GOLDEN.resolve(name);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("spec.properties"))) {
            p.load(r);
        }
        List<String> args = new ArrayList<>(List.of("run", "--input", dir.resolve("input.npy").toString(),
                "--weights", dir.resolve("weight.npy").toString(), "--output", tmp.resolve("out").toString(),
                "--format", "npy", "--method", method.toString()));
        if (Files.exists(dir.resolve("bias.npy"))) args.addAll(List.of("--bias", dir.resolve("bias.npy").toString()));
        if (Boolean.parseBoolean(p.getProperty("transposed", "false").trim())) args.addAll(List.of("--transposed", "--verify"));
        for (String key : List.of("stride", "padding", "output_padding", "dilation", "groups", "padding_mode")) {
            if (p.getProperty(key) != null) args.addAll(List.of("--" + key.replace('_', '-'), p.getProperty(key).trim()));
        }
        Cli r = Cli.run(args.toArray(new String[0]));
        assertEquals(0, r.status, () -> name + ": " + p.getProperty("description") + "\n" + r);

        NpyArray expected = TestFiles.read(dir.resolve("expected.npy"));
        NpyArray got = TestFiles.read(tmp.resolve("out/input.npy"));
        assertArrayEquals(expected.shape, got.shape, name);
        double scale = 0;
        for (double v : expected.data) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.data.length; i++) {
            // torch sums in another order: float64 rounding differs in the last bits only
            assertEquals(expected.data[i], got.data[i], 1e-12 * Math.max(scale, 1.0), name + " element " + i);
        }
    }
}
