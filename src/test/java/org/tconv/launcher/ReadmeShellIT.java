package org.tconv.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * Every shell example of the README runs as a new user would type it, from a folder that looks like a fresh
 * clone (the repository's files linked in), and gives what the README says. Only {@code mvn} lines are not
 * run: they are the build and this very suite. Blocks fenced as {@code text} (the cluster's spark-submit) are
 * not shell examples of this machine.
 */
class ReadmeShellIT {
    @TempDir
    Path tmp;

    /** The commands of the README's {@code bash} blocks, continuation lines joined, comments dropped. */
    static List<String> shellExamples(String readme) {
        List<String> commands = new ArrayList<>();
        boolean inside = false;
        StringBuilder pending = new StringBuilder();
        for (String line : readme.split("\n", -1)) {
            if (line.startsWith("```")) {
                inside = !inside && line.strip().equals("```bash");
                continue;
            }
            if (!inside) continue;
            String code = line.replaceFirst("\\s+#\\s.*$", "").stripTrailing();
            if (code.strip().startsWith("#") || code.isBlank()) continue;
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            pending.append(code.strip());
            commands.add(pending.toString().replaceAll("\\s+", " ").strip());
            pending.setLength(0);
        }
        return commands;
    }

    @Test
    void everyShellExampleOfTheReadmeRuns() throws Exception {
        Path home = TestFiles.home();
        List<String> commands = shellExamples(Files.readString(home.resolve("README.md")));
        assertTrue(commands.size() >= 6, "the README's shell examples: " + commands);
        for (String name : List.of("bin", "conf", "data", "src", "pom.xml", "target")) {
            Files.createSymbolicLink(tmp.resolve(name), home.resolve(name));
        }
        // the examples' outputs under target/ are new files: remove those of an earlier run of this test
        for (String old : List.of("target/T.mtx", "target/S.npy")) Files.deleteIfExists(home.resolve(old));
        deleteTree(home.resolve("target/explain-out"));
        int run = 0;
        for (String command : commands) {
            if (command.startsWith("mvn ")) continue;
            run++;
            Process p = new ProcessBuilder("bash", "-c", command).directory(tmp.toFile())
                    .redirectOutput(tmp.resolve("out-" + run + ".txt").toFile())
                    .redirectError(tmp.resolve("err-" + run + ".txt").toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("README example did not finish in 5 minutes: " + command);
            }
            String out = Files.readString(tmp.resolve("out-" + run + ".txt"), StandardCharsets.UTF_8);
            String err = Files.readString(tmp.resolve("err-" + run + ".txt"), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), () -> "README example failed: " + command + "\nstdout:\n" + out + "\nstderr:\n" + err);
        }
        assertTrue(run >= 5, "README examples run: " + run);

        // What the quick start says it writes: the layer's convolution of each photo, checked against the direct loop.
        NpyArray w = NpyArray.read(Files.readAllBytes(home.resolve("data/weights/conv1.weight.npy")));
        NpyArray b = NpyArray.read(Files.readAllBytes(home.resolve("data/weights/conv1.bias.npy")));
        ConvSpec spec = ConvSpec.builder(w.shape, w.data).bias(b.data).padding(Padding.of(1)).build();
        for (String photo : List.of("astronaut.png", "chelsea.png", "coffee.jpg")) {
            NpyArray x = ImageDecoder.decode(Files.readAllBytes(home.resolve("data/images/" + photo)));
            double[] expected = DirectConvolution.convolve(spec.geometry(x.shape), x.data, 0);
            NpyArray y = NpyArray.read(Files.readAllBytes(tmp.resolve("out-conv1/" + photo.substring(0, photo.indexOf('.')) + ".npy")));
            assertEquals(8, y.shape[0]);
            assertEquals(x.shape[1], y.shape[1]);
            assertEquals(x.shape[2], y.shape[2]);
            double max = 0, diff = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i]));
                diff = Math.max(diff, Math.abs(expected[i] - y.data[i]));
            }
            assertTrue(diff <= 1e-12 * max, photo + ": " + diff + " of " + max);
        }
        assertTrue(Files.size(home.resolve("target/T.mtx")) > 0);
        assertEquals(3, NpyArray.read(Files.readAllBytes(home.resolve("target/S.npy"))).data.length);
        assertTrue(Files.readString(home.resolve("target/explain-out/report.md")).contains("9 x 25"));
        NpyArray ecg = NpyArray.read(Files.readAllBytes(tmp.resolve("out-ecg/ecg.npy")));
        assertEquals(8000, ecg.shape[ecg.shape.length - 1], "same padding keeps the signal's length");
        NpyArray deblurred = NpyArray.read(Files.readAllBytes(tmp.resolve("out-deblur/astronaut.npy")));
        assertEquals(List.of(3, 512, 512), java.util.Arrays.stream(deblurred.shape).boxed().toList(), "deconvolve keeps the input's shape");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
