package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/** Bad options and weights stop the job before Spark starts: one line, no stack trace, exit 1. */
class BadOptionsTest {
    @TempDir
    static Path tmp;

    @BeforeEach
    void files() throws IOException {
        TestFiles.write(tmp.resolve("w.npy"), new int[] {4, 1, 3, 3}, new double[36]);
        TestFiles.write(tmp.resolve("w3.npy"), new int[] {3, 2, 3, 3}, new double[54]);
        TestFiles.write(tmp.resolve("rank2.npy"), new int[] {3, 3}, new double[9]);
        TestFiles.write(tmp.resolve("bias3.npy"), new int[] {3}, new double[3]);
        Files.write(tmp.resolve("garbage.npy"), new byte[] {1, 2, 3});
        TestFiles.write(tmp.resolve("x.npy"), new int[] {1, 8, 8}, new double[64]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--stride 0                            | stride must be positive",
            "--stride 1,0                          | stride must be positive",
            "--padding -1                          | padding must be non-negative",
            "--padding 1,2,3,4                     | padding must be same, valid, one integer or one per axis",
            "--padding sam                         | padding must be same, valid, one integer or one per axis",
            "--paddng 1                            | Unknown options: '--paddng', '1'; did you mean --padding?",
            "--strid 2                             | did you mean --stride?",
            "--dilation 0                          | dilation must be positive",
            "--groups 0                            | groups must be positive",
            "--groups 3                            | divisible by groups",
            "--padding same --stride 2             | padding='same' is not supported for strided convolutions",
            "--padding-mode mirror                 | unknown padding mode 'mirror'",
            "--bias @/bias3.npy                    | bias has 3 values, weights have C_out=4",
            "--weights @/rank2.npy                 | weights must have rank 3",
            "--weights @/missing.npy               | does not exist",
            "--weights @/garbage.npy               | weights file",
            "--method fast                         | unknown method 'fast'",
            "--format jpg                          | unknown format 'jpg'",
            "--parquet-values list                 | unknown --parquet-values 'list' (expected binary or array)",
            "--parquet-compression brotli          | unknown --parquet-compression 'brotli'",
            "--stride x                            | stride must be an int or 'h,w'",
    })
    void refusedWithOneLine(String options, String message) {
        String[] extra = options.trim().replace("@", tmp.toString()).split("\\s+");
        String[] args = new String[extra.length + 7];
        args[0] = "run";
        args[1] = "--input";
        args[2] = tmp.resolve("x.npy").toString();
        args[3] = "--output";
        args[4] = tmp.resolve("out-" + Math.abs(options.hashCode())).toString();
        args[5] = "--weights";
        args[6] = tmp.resolve("w.npy").toString();
        System.arraycopy(extra, 0, args, 7, extra.length);
        Cli r = Cli.run(args);
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains(message), r::toString);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace");
        assertFalse(Files.exists(Path.of(args[4])), "nothing written");
    }
}
