package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.InFlightMemory;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.TestFiles;

/**
 * Two large items on two cores (the shared local[2] session, one task each) with an in-flight pool of 8 MB:
 * each item takes 5 MB (its input and output values), so they fit alone but not together. Both are written,
 * equal to a run with room for both, the reservations all given back; an item of 12 MB is refused with the
 * figure; no OutOfMemoryError, no hang.
 */
class ConcurrentItemsTest {
    @TempDir
    Path tmp;

    private static void npy(Path f, int h, int w, long seed) throws IOException {
        Random r = new Random(seed);
        double[] v = new double[h * w];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256);
        TestFiles.write(f, new int[] {1, h, w}, v);
    }

    @Test
    void twoItemsThatFitAloneButNotTogetherAreBothWritten() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        npy(in.resolve("a.npy"), 560, 560, 1); // (313600 + 311364) values x 8 bytes = 5.0 MB
        npy(in.resolve("b.npy"), 560, 560, 2);
        npy(in.resolve("huge.npy"), 900, 900, 3); // a 6.5 MB file and 12.3 MB of values: over the pool alone
        Path w = TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 3, 3}, new double[] {1, 0, -1, 2, 0, -2, 1, 0, -1});
        Path roomy = tmp.resolve("roomy");
        Cli ref = Cli.run("run", "--input", in.toString(), "--output", roomy.toString(), "--weights", w.toString(), "--format", "npy");
        assertEquals(0, ref.status, ref::toString);

        long waitsBefore = InFlightMemory.jvm().waits();
        System.setProperty(AdmissionBudget.MEMORY_PROPERTY, Long.toString(8L << 20));
        Cli tight;
        try {
            tight = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("tight").toString(), "--weights", w.toString(), "--format", "npy");
        } finally {
            System.clearProperty(AdmissionBudget.MEMORY_PROPERTY);
        }
        assertEquals(2, tight.status, tight::toString); // the huge one rejected
        Map<String, String> rejected = RejectedCsv.read(tmp.resolve("tight"));
        assertEquals(1, rejected.size(), rejected::toString);
        String why = rejected.values().iterator().next();
        assertTrue(rejected.keySet().iterator().next().endsWith("huge.npy") && why.contains("8388608 bytes one item may take"), why);
        for (String n : new String[] {"a.npy", "b.npy"}) {
            assertArrayEquals(Files.readAllBytes(roomy.resolve(n)), Files.readAllBytes(tmp.resolve("tight").resolve(n)), n);
        }
        assertEquals(0, InFlightMemory.jvm().used(), "every reservation given back once the items were written");
        System.out.println("ConcurrentItemsTest: reservations that waited: " + (InFlightMemory.jvm().waits() - waitsBefore));
    }
}
