package org.tconv.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The decoders under Jazzer, coverage-guided, with the property of {@link DecoderFuzzTest} (decoded within
 * the budget or a clean rejection, within {@link FuzzRun#TIMEOUT_SECONDS}, no allocation over the budget).
 *
 * <p>In the ordinary suite Jazzer runs in regression mode: each test replays the seed files in
 * {@code src/test/resources/org/tconv/read/DecoderJazzerFuzzTestInputs/<test>/} (written by {@link #main}
 * from the same seeds as {@link DecoderFuzzTest}: crops of the sample photos, small files, the bombs).
 * Fuzzing is one test per JVM, up to a million inputs:
 * {@code JAZZER_FUZZ=1 mvn -o test -Dtest='DecoderJazzerFuzzTest#png'} (see the README).
 */
class DecoderJazzerFuzzTest {
    static final long RUNS = 1_000_000;

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void png(byte[] file) {
        FuzzRun.check("jazzer-png", file, DecoderFuzzTest.images(), DecoderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void jpeg(byte[] file) {
        FuzzRun.check("jazzer-jpeg", file, DecoderFuzzTest.images(), DecoderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void bmp(byte[] file) {
        FuzzRun.check("jazzer-bmp", file, DecoderFuzzTest.images(), DecoderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void gif(byte[] file) {
        FuzzRun.check("jazzer-gif", file, DecoderFuzzTest.images(), DecoderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void npy(byte[] file) {
        FuzzRun.check("jazzer-npy", file, b -> NpyArray.read(b, DecoderFuzzTest.BUDGET), DecoderFuzzTest.BUDGET);
    }

    /** Writes the seed corpus: {@code java -cp <test classpath> org.tconv.read.DecoderJazzerFuzzTest src/test/resources}. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]).resolve("org/tconv/read/DecoderJazzerFuzzTestInputs");
        Map<String, List<byte[]>> seeds = Map.of("png", DecoderFuzzTest.pngSeeds(), "jpeg", DecoderFuzzTest.jpegSeeds(),
                "bmp", DecoderFuzzTest.bmpSeeds(), "gif", DecoderFuzzTest.gifSeeds(), "npy", DecoderFuzzTest.npySeeds());
        for (Map.Entry<String, List<byte[]>> e : seeds.entrySet()) {
            Path dir = Files.createDirectories(root.resolve(e.getKey()));
            for (int i = 0; i < e.getValue().size(); i++) {
                byte[] b = e.getValue().get(i);
                if (b.length <= 16 << 10) Files.write(dir.resolve("seed-" + i), b); // the whole coffee.jpg stays in data/images
            }
        }
    }
}
