package org.tconv.ml;

import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.tconv.conv.InputRejectedException;
import org.tconv.read.AdmissionBudget;

/**
 * Spark's image struct ({@code spark.read.format("image")}: origin, height, width, nChannels, mode, data)
 * as the (C, H, W) float64 item tconv's own decoder gives for the same file: Spark stores 8-bit samples
 * row by row, pixel by pixel, in B, G, R(, A) order (OpenCV's layout); tconv wants planes in R, G, B order.
 * Gray stays one channel and alpha is dropped, as {@link org.tconv.read.ImageDecoder} does.
 *
 * <p>Example: a 1x2 image with data {@code [30, 10, 200, 0, 0, 255]} (BGR, BGR) is (3, 1, 2) with R plane
 * {@code [200, 255]}, G plane {@code [10, 0]}, B plane {@code [30, 0]}.
 */
final class SparkImages {
    private SparkImages() {}

    /** OpenCV's type codes of 8-bit unsigned images with 1, 3 and 4 channels: the only ones Spark's image source makes. */
    private static final int CV_8UC1 = 0, CV_8UC3 = 16, CV_8UC4 = 24;

    /** True when {@code t} is Spark's image struct (the fields ImageSchema declares, with their types). */
    static boolean isImageStruct(DataType t) {
        if (!(t instanceof StructType)) return false;
        StructType s = (StructType) t;
        StructType want = ImageSchema.columnSchema();
        for (var f : want.fields()) {
            if (s.getFieldIndex(f.name()).isEmpty() || !s.apply(f.name()).dataType().equals(f.dataType())) return false;
        }
        return true;
    }

    /**
     * The image as (C, H, W) values 0..255, or an {@link InputRejectedException} saying why not (Spark's
     * source marks a file it could not decode with height and width -1 and empty data).
     */
    static Item toItem(Row image, AdmissionBudget budget) {
        String origin = image.getAs("origin");
        int h = image.<Integer>getAs("height"), w = image.<Integer>getAs("width");
        int n = image.<Integer>getAs("nChannels"), mode = image.<Integer>getAs("mode");
        byte[] data = image.getAs("data");
        if (h < 0 || w < 0 || n < 0) {
            throw new InputRejectedException("Spark's image source could not decode " + (origin == null ? "this image" : origin)
                    + " (height, width and nChannels are -1)");
        }
        int expectedMode = n == 1 ? CV_8UC1 : n == 3 ? CV_8UC3 : n == 4 ? CV_8UC4 : -1;
        if (expectedMode < 0) throw new InputRejectedException("image struct with " + n + " channels (expected 1, 3 or 4)");
        if (mode != expectedMode) {
            throw new InputRejectedException("image struct of mode " + mode + " with " + n + " channels (expected OpenCV type "
                    + expectedMode + ", 8-bit unsigned)");
        }
        budget.checkImage("image", w, h);
        long bytes = AdmissionBudget.elements("image struct", new int[] {h, w, n});
        if (data == null || data.length != bytes) {
            throw new InputRejectedException("image struct of " + w + "x" + h + "x" + n + " holds " + (data == null ? 0 : data.length)
                    + " bytes of data, not " + bytes);
        }
        int c = n == 1 ? 1 : 3;
        int plane = h * w;
        double[] v = new double[c * plane];
        if (c == 1) {
            for (int p = 0; p < plane; p++) v[p] = data[p] & 0xff;
        } else {
            // BGR(A) interleaved to R, G, B planes
            for (int p = 0, s = 0; p < plane; p++, s += n) {
                v[p] = data[s + 2] & 0xff;
                v[plane + p] = data[s + 1] & 0xff;
                v[2 * plane + p] = data[s] & 0xff;
            }
        }
        return new Item(new int[] {c, h, w}, v);
    }
}
