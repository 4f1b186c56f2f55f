package org.tconv.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tconv.read.InputFile;
import org.tconv.write.OutputFormat;

class ConvolutionJobTest {

    @Test
    void manySmallFilesAreManyTasks() {
        assertEquals(8, ConvolutionJob.partitionsFor(20_000, 2), "4 tasks per core");
        assertEquals(64, ConvolutionJob.partitionsFor(20_000, 16));
        assertEquals(8, ConvolutionJob.partitionsFor(200, 2), "200 shards: 4 tasks per core");
        assertEquals(3, ConvolutionJob.partitionsFor(3, 16), "never more tasks than files");
        assertEquals(1, ConvolutionJob.partitionsFor(0, 4));
        assertEquals(2, ConvolutionJob.partitionsFor(16, 2), "16 photos on 2 cores: 8 per task, a full vector each");
        assertEquals(4, ConvolutionJob.partitionsFor(35, 2), "more tasks only as files allow 8 each");
        assertEquals(16, ConvolutionJob.partitionsFor(16, 16), "but every core gets work");
    }

    @Test
    void inputsWritingTheSameOutputFileAreRejectedOnlyForPerFileFormats() {
        List<InputFile> files = List.of(new InputFile("file:/in/a.png", "a.png"), new InputFile("file:/in/a.npy", "a.npy"),
                new InputFile("file:/in/sub/a.npy", "sub/a.npy"));
        Map<String, String> rejected = new HashMap<>();
        assertEquals(2, ConvolutionJob.dropClashingNames(files, OutputFormat.NPY, Map.of(), new org.tconv.write.OutputNames(true), rejected).size());
        assertEquals(Map.of("file:/in/a.npy", "output a.npy would overwrite the output of file:/in/a.png"), rejected);
        rejected.clear();
        assertEquals(3, ConvolutionJob.dropClashingNames(files, OutputFormat.PARQUET, Map.of(), new org.tconv.write.OutputNames(true), rejected).size(), "parquet rows name their source");
        assertEquals(Map.of(), rejected);
    }
}
