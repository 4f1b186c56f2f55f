package org.tconv.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.tconv.testing.TestFiles;

/**
 * Wall time of the standard workload W1 (20,000 1x28x28 images, 8x1x5x5 weights, padding 2, bias;
 * ../shared/workloads.md) on the 2-worker standalone cluster over HDFS vs bin/tconv in local mode, on this
 * machine. A measurement, not a test: run it by hand (see the README's "Running on a cluster").
 *
 * <pre>
 *   mvn -q -DskipTests package dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/test.classpath
 *   java $(flags) -cp target/test-classes:target/classes:$(cat target/test.classpath) org.tconv.cluster.ClusterW1Bench [runs]
 * </pre>
 */
public final class ClusterW1Bench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        System.setProperty("tconv.jar", TestFiles.home().resolve("target/tconv-0.1.0.jar").toString());
        Path work = TestFiles.home().resolve("target/cluster-w1");
        ClusterIT.deleteTree(work);
        Random r = new Random(1);
        for (int s = 0; s < 20; s++) {
            double[] x = new double[1000 * 28 * 28];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 255;
            TestFiles.write(work.resolve("in/shard-" + s + ".npy"), new int[] {1000, 1, 28, 28}, x);
        }
        double[] w = new double[8 * 25];
        double[] b = new double[8];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        TestFiles.write(work.resolve("w.npy"), new int[] {8, 1, 5, 5}, w);
        TestFiles.write(work.resolve("b.npy"), new int[] {8}, b);
        List<Double> local = new ArrayList<>(), cluster = new ArrayList<>();
        try (MiniHdfs hdfs = new MiniHdfs(); StandaloneCluster c = new StandaloneCluster(2)) {
            hdfs.fs().copyFromLocalFile(new org.apache.hadoop.fs.Path(work.resolve("in").toUri()), new org.apache.hadoop.fs.Path("/w1"));
            for (int run = 0; run < runs; run++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(TestFiles.home().resolve("bin/tconv").toString(), "run", "--input", work.resolve("in").toString(),
                        "--output", work.resolve("local-" + run).toString(), "--weights", work.resolve("w.npy").toString(),
                        "--bias", work.resolve("b.npy").toString(), "--padding", "2", "--format", "npy").inheritIO().start();
                if (p.waitFor() != 0) throw new AssertionError("local run failed");
                local.add((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                try (ChildJvm d = c.submit("w1-" + run, List.of("run", "--input", hdfs.uri + "/w1", "--output", hdfs.uri + "/w1-out-" + run,
                        "--weights", work.resolve("w.npy").toUri().toString(), "--bias", work.resolve("b.npy").toUri().toString(),
                        "--padding", "2", "--format", "npy"))) {
                    if (d.waitFor(900) != 0) throw new AssertionError("cluster run failed: " + d.log);
                }
                cluster.add((System.nanoTime() - t1) / 1e9);
                System.out.printf("run %d: local %.1f s, cluster %.1f s%n", run, local.get(run), cluster.get(run));
            }
        }
        local.sort(null);
        cluster.sort(null);
        System.out.printf("W1 (20,000 images as 20 .npy shards, npy output), median of %d: bin/tconv local[*] %.1f s, "
                + "2-worker standalone + HDFS via spark-submit %.1f s (both include JVM start), ratio %.2f%n",
                runs, local.get(runs / 2), cluster.get(runs / 2), cluster.get(runs / 2) / local.get(runs / 2));
    }
}
