package org.tconv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvGeometry;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;

/** The standard workloads as shared/workloads.md defines them, and the arithmetic of the bench's report. */
class WorkloadTest {
    @TempDir
    Path tmp;

    @Test
    void shapesAndFlopsAreThoseOfWorkloadsMd() {
        // MFLOP per image: W1 0.3136, W2 0.8847, W3 113.2, W4 209.7, W5 0.000162
        assertEquals(0.3136, Workload.W1.flopsPerImage() / 1e6, 5e-5);
        assertEquals(0.8847, Workload.W2.flopsPerImage() / 1e6, 5e-5);
        assertEquals(113.2, Workload.W3.flopsPerImage() / 1e6, 0.05);
        assertEquals(209.7, Workload.W4.flopsPerImage() / 1e6, 0.05);
        assertEquals(0.000162, Workload.W5.flopsPerImage() / 1e6, 5e-7);
        // GFLOP per workload: W1 6.272, W2 4.424, W3 1.812, W4 0.2097
        assertEquals(6.272, Workload.W1.totalFlops() / 1e9, 5e-4);
        assertEquals(4.424, Workload.W2.totalFlops() / 1e9, 5e-4);
        assertEquals(1.812, Workload.W3.totalFlops() / 1e9, 5e-4);
        assertEquals(0.2097, Workload.W4.totalFlops() / 1e9, 5e-5);
        int[][] outputs = {{8, 28, 28}, {16, 32, 32}, {8, 512, 512}, {1, 2048, 2048}, {1, 3, 3}};
        for (int i = 0; i < 5; i++) {
            ConvGeometry g = Workload.STANDARD[i].geometry();
            assertArrayEquals(outputs[i], g.outputShape(), Workload.STANDARD[i].id);
        }
        assertTrue(Workload.W1.spec().hasBias() && Workload.W2.spec().hasBias());
        assertFalse(Workload.W3.spec().hasBias() || Workload.W4.spec().hasBias() || Workload.W5.spec().hasBias());
        assertEquals(20000, Workload.W1.images);
        assertEquals(5000, Workload.W2.images);
        assertEquals(16, Workload.W3.images);
    }

    @Test
    void dataAreUniformInputsAndStandardNormalWeightsFromFixedSeeds() {
        double[] a = Workload.W2.image(7), b = Workload.W2.image(7), c = Workload.W2.image(8);
        assertArrayEquals(a, b, 0.0, "the same image every time");
        assertFalse(java.util.Arrays.equals(a, c), "images differ");
        double min = Double.MAX_VALUE, max = -1, sum = 0;
        for (double v : a) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertTrue(min >= 0 && max < 255, min + ".." + max);
        assertEquals(127.5, sum / a.length, 6.0, "mean of 3072 uniform values");
        int[] ws = Workload.W2.spec().weightShape();
        double s = 0, s2 = 0;
        int n = 0;
        for (int co = 0; co < ws[0]; co++)
            for (int ci = 0; ci < ws[1]; ci++)
                for (int y = 0; y < ws[2]; y++)
                    for (int x = 0; x < ws[3]; x++) {
                        double v = Workload.W2.spec().weight(co, ci, y, x);
                        s += v;
                        s2 += v * v;
                        n++;
                    }
        assertEquals(0.0, s / n, 0.25, "432 standard normal weights");
        assertEquals(1.0, s2 / n, 0.25);
        assertEquals(Workload.W2.spec(), Workload.W2.spec(), "fixed seeds: the same weights every time");
    }

    @Test
    void resizedWorkloadsSayWhatTheyAre() {
        assertEquals("W1@5000", Workload.W1.withImages(5000).id);
        assertEquals(5000, Workload.W1.withImages(5000).images);
        assertEquals("W1", Workload.W1.withImages(20000).id);
        assertEquals("W4@512px", Workload.W4.withSide(512).id);
        assertArrayEquals(new int[] {1, 512, 512}, Workload.W4.withSide(512).geometry().outputShape());
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("W9"));
        assertEquals(Workload.W3, Workload.parse("w3"));
    }

    @Test
    void theLineThroughTimesIsRecovered() {
        List<BenchResult> series = new java.util.ArrayList<>();
        for (int n : new int[] {5000, 10000, 20000, 40000}) {
            double t = 0.1 + 2e-5 * n;
            series.add(new BenchResult(Workload.W1.withImages(n), Method.TOEPLITZ, Dtype.F64, List.of(t / 2), List.of(t),
                    0.1, 1, 1, 1, 0, Double.NaN, 1));
        }
        BenchReport.LinearFit e2e = BenchReport.linearFit(series, r -> r.workload.images, BenchResult::endToEndSeconds);
        assertEquals(0.1, e2e.fixed, 1e-9);
        assertEquals(2e-5, e2e.perUnit, 1e-12);
        assertEquals(1.0, e2e.r2, 1e-12);
        BenchReport.LinearFit mul = BenchReport.linearFit(series, r -> r.workload.images, BenchResult::multiplySeconds);
        assertEquals(1e-5, mul.perUnit, 1e-12);
        series.add(new BenchResult(Workload.W1.withImages(80000), Method.TOEPLITZ, Dtype.F64, List.of(1.0), List.of(9.0),
                0.1, 1, 1, 1, 0, Double.NaN, 1));
        assertTrue(BenchReport.linearFit(series, r -> r.workload.images, BenchResult::endToEndSeconds).r2 < 0.99, "a quadratic point bends the line");
    }

    @Test
    void mediansAndRatesAreOfTheTimedRuns() {
        BenchResult r = new BenchResult(Workload.W2, Method.TOEPLITZ, Dtype.F64, List.of(0.4, 0.1, 0.2), List.of(1.0, 0.5, 0.25, 2.0),
                0.01, 10, 120, 1 << 20, 0, Double.NaN, 4000);
        assertEquals(0.2, r.multiplySeconds(), 0.0);
        assertEquals(0.75, r.endToEndSeconds(), 1e-12);
        assertEquals(5000 / 0.75, r.imagesPerSecond(), 1e-9);
        assertEquals(4.424e9 / 0.75 / 1e9, r.gflops(), 1e-3);
        String csv = BenchReport.csv(List.of(r));
        assertEquals(BenchReport.CSV_HEADER, csv.lines().findFirst().orElseThrow());
        String row = csv.lines().skip(1).findFirst().orElseThrow();
        assertTrue(row.startsWith("W2,toeplitz,f64,6666.67,"), csv);
        assertTrue(row.contains(",10,1.0,4000,"), "stored non-zeros, peak heap, then the explicit T's non-zeros: " + csv);
        // then the split, appended: decode and pack not timed (empty), product = the multiply's median 0.2,
        // unpack = what end to end (0.75) has beyond pack and product, write and job not timed
        // and the in-Spark figure last: here the same runs as end to end
        assertTrue(row.endsWith(",4000,,,0.200000,0.550000,,,0.750000"), csv);

        BenchResult split = new BenchResult(Workload.W2, Method.TOEPLITZ, Dtype.F64, List.of(0.4, 0.1, 0.2), List.of(1.0, 0.5, 0.25, 2.0),
                0.01, 10, 120, 1 << 20, 0, Double.NaN, 4000, new StageSplit(List.of(0.3, 0.1, 0.2), List.of(0.05, 0.15), List.of(2.0), List.of(0.02, 0.03, 0.04)));
        assertEquals(0.2, split.decodeSeconds(), 0.0);
        assertEquals(0.1, split.packSeconds(), 1e-12);
        assertEquals(0.03, split.jobSeconds(), 1e-12);
        assertEquals(0.75 - 0.1 - 0.2 - 0.03, split.unpackSeconds(), 1e-12);
        assertTrue(BenchReport.csv(List.of(split)).strip().endsWith(",4000,0.200000,0.100000,0.200000,0.420000,2.00000,0.0300000,0.750000"), BenchReport.csv(List.of(split)));
        String md = BenchReport.markdown(List.of(split), List.of());
        assertTrue(md.contains("| decode s | pack s | product s | unpack s | job s | write s |"), md);
        assertTrue(md.contains("| 0.2000 | 0.1000 | 0.2000 | 0.4200 | 0.03000 | 2.000 |"), md);
    }

    @Test
    void aBaselineCsvIsReadByItsHeader() throws IOException {
        Path p = tmp.resolve("torch.csv");
        Files.writeString(p, "workload,method,dtype,images_per_s,gflops,multiply_s,end_to_end_s,nnz,peak_heap_mb\n"
                + "W1,pytorch,f64,8655,2.714,2.311,2.311,,4303\nW1,pytorch,f32,31111,9.757,0.64,0.64,,1735\n");
        List<BenchReport.BaselineRow> rows = BenchReport.readBaseline(p);
        assertEquals(2, rows.size());
        assertEquals(8655, rows.get(0).imagesPerSecond, 0.0);
        BenchResult r = new BenchResult(Workload.W1, Method.TOEPLITZ, Dtype.F32, List.of(0.2), List.of(0.4), 0.01, 1, 1, 1, 0, 1e-7, 1);
        assertEquals(31111, BenchReport.baselineFor(rows, r).imagesPerSecond, 0.0);
        String md = BenchReport.markdown(List.of(r), rows);
        assertTrue(md.contains("| W1 | pytorch | f32 |"), md);
        assertTrue(md.contains("3.21x; 1.61x"), md); // 100,000 and 50,000 images/s against 31,111
        Files.writeString(p, "workload,method\nW1,x\n");
        assertThrows(IllegalArgumentException.class, () -> BenchReport.readBaseline(p));
    }

    @Test
    void w6HasFortyEightDifferentSizesInRangeFromAFixedSeed() {
        Workload w6 = Workload.W6;
        assertEquals(48, w6.images);
        assertFalse(w6.uniform());
        java.util.Set<String> sizes = new java.util.HashSet<>();
        double flops = 0;
        for (int i = 0; i < 48; i++) {
            int[] s = w6.shape(i);
            assertEquals(3, s.length, "(C, H, W)");
            assertEquals(3, s[0]);
            assertTrue(s[1] >= 300 && s[1] <= 512 && s[2] >= 300 && s[2] <= 512, java.util.Arrays.toString(s));
            sizes.add(s[1] + "x" + s[2]);
            assertEquals(3 * s[1] * s[2], w6.image(i).length);
            assertArrayEquals(new int[] {8, s[1], s[2]}, w6.geometry(i).outputShape(), "padding 1 keeps the size");
            flops += 2.0 * 8 * 3 * 9 * s[1] * s[2];
        }
        assertEquals(48, sizes.size(), "every (H, W) different");
        assertEquals(flops, w6.totalFlops(), 1e-6 * flops);
        assertArrayEquals(new int[] {8, 3, 3, 3}, w6.weightShape());
        assertFalse(w6.spec().hasBias());
        assertArrayEquals(w6.shape(17), Workload.W6.withImages(48).shape(17), "fixed seed");
        assertThrows(IllegalStateException.class, w6::inputShape);
        // fewer images: the first sizes drawn, still all different
        assertArrayEquals(w6.shape(0), w6.withImages(5).shape(0));
    }

    @Test
    void w7IsAConv3dVolume() {
        Workload w7 = Workload.W7;
        assertEquals(4, w7.images);
        assertArrayEquals(new int[] {1, 64, 128, 128}, w7.inputShape());
        assertArrayEquals(new int[] {8, 1, 3, 3, 3}, w7.weightShape());
        assertEquals(3, w7.spec().dims());
        assertArrayEquals(new int[] {8, 64, 128, 128}, w7.geometry().outputShape());
        assertEquals(64 * 128 * 128, w7.image(3).length);
        // 2 * C_out * C_in * kD * kH * kW * outD * outH * outW = 2 * 8 * 27 * 64 * 128 * 128
        assertEquals(452_984_832.0, w7.flopsPerImage(), 1e-3);
        assertFalse(w7.spec().hasBias());
    }

    @Test
    void workloadListsAreIdsInOrderOrAll() {
        assertEquals(List.of(Workload.W3, Workload.W6), Workload.parseList("W3,W6"));
        assertEquals(List.of(Workload.W7, Workload.W1), Workload.parseList(" w7 , W1 "));
        assertEquals(7, Workload.parseList("all").size());
        assertEquals(List.of(Workload.W5), Workload.parseList("W5"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parseList("W3,,W6"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parseList("W3,W3"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parseList("W3,W8"));
    }
}
