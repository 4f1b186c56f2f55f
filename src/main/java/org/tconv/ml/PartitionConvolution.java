package org.tconv.ml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.InputDecoder;
import org.tconv.verify.DirectConvolution;

/**
 * The transformer's work on one partition: rows are taken in chunks, each row's item is read, the items
 * are grouped by shape and each group goes through the panel product of its shape's operator (built once
 * per executor, {@link org.tconv.operator.ConvOperator#of}), as the CLI's toeplitz method does. Each row comes out with its
 * columns followed by the output (an ML Vector), the output's shape and a reason; a row that cannot be used
 * has a null output and shape and the reason, and never stops the others.
 */
final class PartitionConvolution implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    /**
     * Input and output values a chunk may hold (~16 MB): several full panels of small images, and little
     * alive for the collector, as in the CLI's toeplitz method.
     */
    static final long CHUNK_VALUES = 2L << 20;
    /** Shapes whose geometry a task keeps (each is a few arrays of its axes' length). */
    private static final int MAX_GEOMETRIES = 4096;

    private final RowItems items;
    private final ConvSpec spec;
    private final boolean direct;
    private final Dtype dtype;
    private final AdmissionBudget budget;

    PartitionConvolution(RowItems items, ConvSpec spec, boolean direct, Dtype dtype, AdmissionBudget budget) {
        this.items = items;
        this.spec = spec;
        this.direct = direct;
        this.dtype = dtype;
        this.budget = budget;
    }

    /** One row on its way through: its item (until convolved), then its output or the reason it has none. */
    private static final class Pending {
        final Row row;
        Item item;
        ConvGeometry geometry;
        double[] out;
        String reason;

        Pending(Row row) {
            this.row = row;
        }
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (items.kind() == InputKind.IMAGE) {
            // Spark's image source decodes each file (lazily, as this task pulls rows) with ImageIO.read,
            // which by default first copies the bytes to a temporary file; in memory its reading is 1.5-2x
            // as fast. ImageIO's setting is per JVM, and tconv's own decoder never uses the disk cache either.
            javax.imageio.ImageIO.setUseCache(false);
        }
        Map<String, ConvGeometry> geometries = new HashMap<>();
        return new Iterator<>() {
            private Iterator<Pending> done = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!done.hasNext() && rows.hasNext()) done = chunk(rows, geometries).iterator();
                return done.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return output(done.next());
            }
        };
    }

    private List<Pending> chunk(Iterator<Row> rows, Map<String, ConvGeometry> geometries) {
        List<Pending> chunk = new ArrayList<>();
        Map<String, List<Pending>> byShape = new LinkedHashMap<>();
        long values = 0;
        while (rows.hasNext() && values < CHUNK_VALUES) {
            Pending p = new Pending(rows.next());
            chunk.add(p);
            try {
                p.item = items.read(p.row);
                String key = java.util.Arrays.toString(p.item.shape);
                ConvGeometry g = geometries.get(key);
                if (g == null) {
                    g = spec.geometry(p.item.shape); // rejects what PyTorch would refuse
                    if (geometries.size() >= MAX_GEOMETRIES) geometries.clear(); // a dataset of a million photo sizes
                    geometries.put(key, g);
                }
                budget.checkItem(1, p.item.shape, g.outputShape()); // padding can make a small input's output huge
                p.geometry = g;
                byShape.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
                values += g.inputElements() + g.outputElements();
            } catch (RuntimeException e) {
                reject(p, InputDecoder.oneLine(e));
            } catch (OutOfMemoryError | StackOverflowError e) {
                // The last line behind the admission budget, as in the CLI: what the decoder held is garbage
                // now, so the other rows can go on.
                reject(p, "decoding ran out of " + (e instanceof StackOverflowError ? "stack" : "memory") + " (" + InputDecoder.oneLine(e)
                        + "); the input claims more than the budget saw");
            }
        }
        for (List<Pending> group : byShape.values()) convolve(group);
        return chunk;
    }

    private void convolve(List<Pending> group) {
        ConvGeometry g = group.get(0).geometry;
        if (direct) {
            for (Pending p : group) {
                p.out = DirectConvolution.convolve(g, p.item.values, 0);
                p.item = null;
            }
            return;
        }
        ConvOperator t;
        try {
            t = ConvOperator.of(g); // over the memory budget: a reason for each of these rows
        } catch (RuntimeException e) {
            for (Pending p : group) reject(p, InputDecoder.oneLine(e));
            return;
        }
        int n = group.size();
        double[][] in = new double[n][], out = new double[n][];
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            Pending p = group.get(i);
            in[i] = p.item.values;
            p.out = out[i] = new double[g.outputSize()];
        }
        t.convolve(in, offsets, out, offsets, dtype);
        for (Pending p : group) p.item = null;
    }

    private static void reject(Pending p, String reason) {
        p.reason = reason;
        p.item = null;
        p.geometry = null;
        p.out = null;
    }

    private static Row output(Pending p) {
        Row r = p.row;
        int n = r.length();
        Object[] v = new Object[n + 3];
        for (int i = 0; i < n; i++) v[i] = r.get(i);
        if (p.out != null) {
            v[n] = Vectors.dense(p.out);
            int[] s = p.geometry.outputShape();
            Integer[] shape = new Integer[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = s[i];
            v[n + 1] = scala.collection.immutable.ArraySeq.unsafeWrapArray(shape); // the Row encoder takes a Scala Seq for array<int>
        }
        v[n + 2] = p.reason;
        return RowFactory.create(v);
    }
}
