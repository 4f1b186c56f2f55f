package org.tconv.bench;

import java.util.List;

/**
 * Seconds per timed run of the stages around the product that the bench times on their own, so the next
 * bottleneck of a job is visible: decode (making the input rows), pack (images into the product's panels;
 * toeplitz on one shape only) and write (the results, already computed, as parquet). Product and unpack
 * come from the multiply and end-to-end figures ({@link BenchResult}). An empty list: not measured.
 */
public final class StageSplit {
    public final List<Double> decode, pack, write;

    StageSplit(List<Double> decode, List<Double> pack, List<Double> write) {
        this.decode = List.copyOf(decode);
        this.pack = List.copyOf(pack);
        this.write = List.copyOf(write);
    }
}
