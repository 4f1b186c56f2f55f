package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tconv.conv.InputRejectedException;
import org.tconv.testing.HostileFiles;

/** The budget's figures, against products worked out by hand. */
class AdmissionBudgetTest {
    private static final AdmissionBudget MB_64 = new AdmissionBudget(1000, 64L << 20);

    @Test
    void aShapeWhoseProductWrapsIsRefusedNotZero() {
        // 2^30 * 1 * 2^29 * 32 = 2^64, which a long holds as 0
        InputRejectedException e = assertThrows(InputRejectedException.class,
                () -> AdmissionBudget.elements("shape", new int[] {1073741824, 1, 536870912, 32}));
        assertEquals("shape (1073741824,1,536870912,32) has more than 2^63 elements", e.getMessage());
        assertEquals(6L * 1073741824, AdmissionBudget.elements("shape", new int[] {2, 3, 1073741824}));
        assertEquals(1, AdmissionBudget.elements("shape", new int[0]));
    }

    @Test
    void theSameWrappedShapeInAFileIsRefusedBeforeAnyValueIsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpyArray.read(HostileFiles.npyWrappingShape()));
        assertEquals(".npy array of shape [1073741824, 1, 536870912, 32] is too large (the number of bytes overflows)", e.getMessage());
    }

    @Test
    void imagesAreCheckedForPixelsThenMemory() {
        assertEquals("image of 40x26 = 1040 pixels is over the limit of 1000 pixels (--max-pixels)",
                assertThrows(InputRejectedException.class, () -> MB_64.checkImage("image", 40, 26)).getMessage());
        MB_64.checkImage("image", 40, 25); // 1000 pixels: at the limit is allowed
        // 3M pixels at 28 bytes = 84,000,000 bytes = 80.1 MB > 64 MB
        AdmissionBudget pixelsEnough = MB_64.withMaxPixels(10_000_000);
        assertEquals("GIF screen of 2000x1500 (3000000 pixels) needs 80.1 MB, over the 64.0 MB one item may take (40% of the heap)",
                assertThrows(InputRejectedException.class, () -> pixelsEnough.checkImage("GIF screen", 2000, 1500)).getMessage());
        pixelsEnough.checkImage("GIF screen", 2000, 1000); // 56,000,000 bytes fits
    }

    @Test
    void anItemIsItsInputAndOutputTogether() {
        AdmissionBudget b = new AdmissionBudget(1000, 8_000_000); // a million doubles
        b.checkItem(10, new int[] {1, 100, 100}, new int[] {2, 100, 100}); // 100,000 + 200,000 values: 2.4 MB
        // 10 x 30,000 + 10 x 80,000 = 1,100,000 values = 8,800,000 bytes
        assertEquals("input 10 items x (3,100,100) and output (8,100,100) needs 8.4 MB, over the 7.6 MB one item may take (40% of the heap)",
                assertThrows(InputRejectedException.class, () -> b.checkItem(10, new int[] {3, 100, 100}, new int[] {8, 100, 100})).getMessage());
        assertEquals("output of 30000 items x (2,199,199) = 2376060000 values is more than one array holds (2147483639)",
                assertThrows(InputRejectedException.class, () -> b.checkItem(30000, new int[] {1, 1, 1}, new int[] {2, 199, 199})).getMessage());
    }

    @Test
    void aFileLargerThanHalfTheBudgetIsNotReadIntoMemory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        java.nio.file.Path f = org.tconv.testing.TestFiles.write(tmp.resolve("a.npy"), new int[] {1, 20, 20}, new double[400]);
        org.tconv.conv.ConvSpec spec = org.tconv.conv.ConvSpec.builder(new int[] {1, 1, 3, 3}, new double[9]).build();
        InputFile in = new InputFile(f.toUri().toString(), "a.npy");
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        ImageBatch small = new InputDecoder(spec, new AdmissionBudget(1000, 4000)).decode(in, conf);
        assertEquals("cannot read file: file of 3328 bytes is more than half the 4000 bytes one item may take", small.getError());
        ImageBatch enough = new InputDecoder(spec, new AdmissionBudget(1000, 64_000)).decode(in, conf);
        assertEquals(null, enough.getError());
        assertEquals(400, enough.getValues().length);
    }

    @Test
    void anErrorInsideOneDecodeRejectsThatFileOnly() {
        InputFile f = new InputFile("file:/x/a.png", "a.png");
        ImageBatch oom = InputDecoder.guarded(f, () -> { throw new OutOfMemoryError("Java heap space"); });
        assertEquals("decoding ran out of memory (Java heap space); the file claims more than the budget saw", oom.getError());
        ImageBatch crash = InputDecoder.guarded(f, () -> { throw new NoClassDefFoundError("com/sun/imageio/X"); });
        assertEquals("decoder crashed: NoClassDefFoundError: com/sun/imageio/X", crash.getError());
        ImageBatch npe = InputDecoder.guarded(f, () -> { throw new NullPointerException(); });
        assertEquals("NullPointerException", npe.getError());
        assertThrows(InternalError.class, () -> InputDecoder.guarded(f, () -> { throw new InternalError("jvm"); }));
    }

    @Test
    void theDefaultPixelLimitIsPils() {
        assertEquals(178_956_970L, AdmissionBudget.defaults().maxPixels());
        assertThrows(IllegalArgumentException.class, () -> new AdmissionBudget(0, 0));
    }
}
