package org.tconv.bench;

import java.util.List;

/**
 * Seconds per timed run of the stages around the product that the bench times on their own, so the next
 * bottleneck of a job is visible: decode (making the input rows), pack (images into the product's panels;
 * toeplitz on one shape only), write (the results, already computed, as parquet) and job (a Spark job over
 * the same cached input rows whose tasks only count them: what Spark itself costs the end-to-end run).
 * Product and unpack come from the multiply and end-to-end figures ({@link BenchResult}). An empty list:
 * not measured.
 */
public final class StageSplit {
    public final List<Double> decode, pack, write, job;

    StageSplit(List<Double> decode, List<Double> pack, List<Double> write, List<Double> job) {
        this.decode = List.copyOf(decode);
        this.pack = List.copyOf(pack);
        this.write = List.copyOf(write);
        this.job = List.copyOf(job);
    }
}
