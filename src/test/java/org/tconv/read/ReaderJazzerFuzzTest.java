package org.tconv.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The shard and table readers under Jazzer, coverage-guided, with the property of {@link ReaderFuzzTest}.
 * In the ordinary suite each test replays the seeds in
 * {@code src/test/resources/org/tconv/read/ReaderJazzerFuzzTestInputs/<test>/} (written by {@link #main} from
 * {@link ReaderFuzzTest}'s seeds). Fuzzing, one test per JVM: {@code JAZZER_FUZZ=1 mvn -o test
 * -Dtest='ReaderJazzerFuzzTest#tar'} (docs/faults.md).
 */
class ReaderJazzerFuzzTest {
    static final long RUNS = 1_000_000;

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void tar(byte[] shard) {
        FuzzRun.check("jazzer-tar", shard, ReaderFuzzTest.shard("s.tar", false), ReaderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void gzip(byte[] shard) {
        FuzzRun.check("jazzer-tar-gz", shard, ReaderFuzzTest.shard("s.tar.gz", false), ReaderFuzzTest.BUDGET);
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "3h")
    void parquet(byte[] file) {
        FuzzRun.check("jazzer-parquet", file, ReaderFuzzTest::table, ReaderFuzzTest.BUDGET);
    }

    /** Writes the seed corpus: {@code java -cp <test classpath> org.tconv.read.ReaderJazzerFuzzTest src/test/resources}. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]).resolve("org/tconv/read/ReaderJazzerFuzzTestInputs");
        Map<String, List<byte[]>> seeds = Map.of("tar", ReaderFuzzTest.tarSeeds(), "gzip", ReaderFuzzTest.gzipSeeds(),
                "parquet", ReaderFuzzTest.parquetSeeds());
        for (Map.Entry<String, List<byte[]>> e : seeds.entrySet()) {
            Path dir = Files.createDirectories(root.resolve(e.getKey()));
            for (int i = 0; i < e.getValue().size(); i++) Files.write(dir.resolve("seed-" + i), e.getValue().get(i));
        }
    }
}
