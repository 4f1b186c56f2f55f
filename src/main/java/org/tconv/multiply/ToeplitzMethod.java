package org.tconv.multiply;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputDecoder;

/**
 * {@code --method toeplitz}: each partition takes its files in chunks, groups their items by input shape,
 * and multiplies each group by the sparse T of that shape (built once per executor, see
 * {@link org.tconv.operator.ConvOperator#of}). Streams: a chunk is bounded, so a partition never holds more than one.
 * Rows are copied before they are changed, so a cached input RDD stays as it was. A float32 product's
 * results stay float32 ({@link ImageBatch#getOutFloats}): widening them would double the bytes every later
 * step moves.
 */
public final class ToeplitzMethod implements FlatMapFunction<Iterator<ImageBatch>, ImageBatch> {
    private static final long serialVersionUID = 1L;
    /**
     * Input and output values of one chunk (the rows a task holds at once): enough items for several full
     * panels, and at most ~16 MB per task, so two tasks' outputs stay in L3 and young collections find
     * little alive.
     */
    static final long CHUNK_VALUES = 2L << 20;

    private final ConvSpec spec;
    private final boolean keepInput;
    private final Dtype dtype;

    public ToeplitzMethod(ConvSpec spec, boolean keepInput, Dtype dtype) {
        this.spec = spec;
        this.keepInput = keepInput;
        this.dtype = dtype;
    }

    @Override
    public Iterator<ImageBatch> call(Iterator<ImageBatch> rows) {
        return new Iterator<>() {
            private Iterator<ImageBatch> done = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!done.hasNext() && rows.hasNext()) done = convolveChunk(rows).iterator();
                return done.hasNext();
            }

            @Override
            public ImageBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return done.next();
            }
        };
    }

    private List<ImageBatch> convolveChunk(Iterator<ImageBatch> rows) {
        List<ImageBatch> chunk = new ArrayList<>();
        long values = 0;
        while (rows.hasNext() && values < CHUNK_VALUES) {
            ImageBatch b = rows.next().copy();
            chunk.add(b);
            if (b.ok()) values += b.getValues().length + (long) b.getCount() * b.outItemSize();
        }
        Map<String, List<ImageBatch>> byShape = new LinkedHashMap<>();
        for (ImageBatch b : chunk) {
            if (b.ok()) byShape.computeIfAbsent(Arrays.toString(b.getShape()), k -> new ArrayList<>()).add(b);
        }
        for (List<ImageBatch> group : byShape.values()) {
            convolveGroup(group);
        }
        return chunk;
    }

    private void convolveGroup(List<ImageBatch> group) {
        ConvGeometry g = spec.geometry(group.get(0).getShape());
        ConvOperator t;
        try {
            t = ConvOperator.of(g);
        } catch (RuntimeException e) {
            for (ImageBatch b : group) reject(b, InputDecoder.oneLine(e));
            return;
        }
        boolean single = dtype == Dtype.F32; // float32 results stay float32 (half the bytes to keep and write)
        // A row that fills whole panels keeps its results in the product's layout: no transpose here, the
        // writer reads them item by item as it converts them (ImageBatch#outItems).
        List<ImageBatch> rest = new ArrayList<>();
        for (ImageBatch b : group) {
            if (!t.fillsPanels(b.getCount(), dtype)) {
                rest.add(b);
                continue;
            }
            int size = b.getCount() * g.outputSize();
            if (single) {
                float[] out = new float[size];
                t.convolveGroupMajor(b.getValues(), 0, b.getCount(), out);
                b.setOutFloats(out);
            } else {
                double[] out = new double[size];
                t.convolveGroupMajor(b.getValues(), 0, b.getCount(), out);
                b.setOutValues(out);
            }
            b.setOutGroup(t.groupWidth(b.getCount(), dtype));
            b.setOutShape(g.outputShape());
        }
        int items = 0;
        for (ImageBatch b : rest) items += b.getCount();
        ImageBatch[] rowOf = new ImageBatch[items];
        int[] indexInRow = new int[items];
        int i = 0;
        for (ImageBatch b : rest) {
            for (int k = 0; k < b.getCount(); k++, i++) {
                rowOf[i] = b;
                indexInRow[i] = k;
            }
        }
        // A panel at a time, each row's output allocated just before its first item is convolved, so the
        // freshly zeroed array is still in cache when the product writes it.
        int step = t.panelWidth(dtype);
        for (int first = 0; first < items; first += step) {
            int n = Math.min(step, items - first);
            double[][] in = new double[n][];
            Object[] out = single ? new float[n][] : new double[n][];
            int[] inOff = new int[n], outOff = new int[n];
            for (int j = 0; j < n; j++) {
                ImageBatch b = rowOf[first + j];
                int k = indexInRow[first + j];
                if (k == 0) {
                    int size = b.getCount() * g.outputSize();
                    if (single) b.setOutFloats(new float[size]);
                    else b.setOutValues(new double[size]);
                    b.setOutShape(g.outputShape());
                }
                in[j] = b.getValues();
                inOff[j] = k * g.inputSize();
                out[j] = single ? b.getOutFloats() : b.getOutValues();
                outOff[j] = k * g.outputSize();
            }
            if (single) t.convolve(in, inOff, (float[][]) out, outOff);
            else t.convolve(in, inOff, (double[][]) out, outOff, dtype);
        }
        if (!keepInput) for (ImageBatch b : group) b.setValues(null);
    }

    private static void reject(ImageBatch b, String reason) {
        b.setError(reason);
        b.setValues(null);
        b.setOutShape(null);
    }
}
