package org.tconv.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tconv.read.NpyArray;

/**
 * W8's data, made in Java so the bench and its tests need no Python: {@code images} JPEGs made from the
 * sample photos (data/images) by random crops (60-100% of each side), mirror flips and bicubic resizes to a
 * long side of 480..1024 pixels, 4:3 landscape (3 in 4) or portrait, JPEG quality 80..95 (ImageIO's writer,
 * whose quality is libjpeg's scale), all from one seed; weights (8, 3, 3, 3) and bias (8) standard normal.
 * Layout under {@code dir}: {@code photos/NNNNNN.jpg}, {@code weights.npy}, {@code bias.npy}, and on demand
 * W8s's {@code shards/shard-0000K.tar} (8 WebDataset shards of the same files, Commons Compress) and W8t's
 * {@code table/} (a Parquet image table, {@code image struct<bytes, path>}, written by Spark:
 * {@link #ensureTable}). {@code made.txt} (and {@code shards.made}, {@code table.made}) record what was made, so a folder is made once and reused.
 */
public final class PhotoFolder {
    public static final int SHARDS = 8;
    public static final int C_OUT = 8;
    public static final long SEED = 2026;
    public static final int MIN_LONG_SIDE = 480, MAX_LONG_SIDE = 1024, MIN_QUALITY = 80, MAX_QUALITY = 95;
    private static final String[] SOURCES = {"astronaut.png", "chelsea.png", "coffee.jpg"};

    public final Path dir;
    public final int images;

    private PhotoFolder(Path dir, int images) {
        this.dir = dir;
        this.images = images;
    }

    public Path photos() { return dir.resolve("photos"); }
    public Path shards() { return dir.resolve("shards"); }
    public Path table() { return dir.resolve("table"); }
    public Path weights() { return dir.resolve("weights.npy"); }
    public Path bias() { return dir.resolve("bias.npy"); }

    /** What {@code made.txt} says for these parameters: a folder made otherwise is not reused. */
    static String stamp(int images) {
        return String.format(Locale.ROOT, "W8 photos=%d seed=%d long-side=%d..%d quality=%d..%d weights=%dx3x3x3%n",
                images, SEED, MIN_LONG_SIDE, MAX_LONG_SIDE, MIN_QUALITY, MAX_QUALITY, C_OUT);
    }

    /**
     * The folder of {@code images} photos under {@code dir}, made if it is not there yet. {@code dir} must be
     * new, empty, or a folder this class made with the same parameters: nothing else is overwritten.
     */
    public static PhotoFolder ensure(Path dir, int images, Path samples) throws IOException {
        if (images < 1) throw new IllegalArgumentException("--images must be positive, got " + images);
        PhotoFolder f = new PhotoFolder(dir, images);
        Path made = dir.resolve("made.txt");
        if (Files.exists(made)) {
            String was = Files.readString(made, StandardCharsets.UTF_8);
            if (!was.equals(stamp(images))) {
                throw new IllegalArgumentException(dir + " holds another W8 folder (" + was.trim() + "): choose a new directory");
            }
            return f;
        }
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new IllegalArgumentException(dir + " is not empty and not a W8 folder: choose a new directory");
            }
        }
        Files.createDirectories(f.photos());
        f.makePhotos(samples);
        f.makeWeights();
        Files.writeString(made, stamp(images), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return f;
    }

    private void makePhotos(Path samples) throws IOException {
        List<BufferedImage> sources = new ArrayList<>();
        for (String s : SOURCES) {
            BufferedImage img = ImageIO.read(samples.resolve(s).toFile());
            if (img == null) throw new IOException("cannot read the sample photo " + samples.resolve(s));
            sources.add(img);
        }
        Random rng = new Random(SEED);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            for (int i = 0; i < images; i++) {
                BufferedImage src = sources.get(i % sources.size());
                int h = src.getHeight(), w = src.getWidth();
                int ch = (int) (h * (0.6 + 0.4 * rng.nextDouble())), cw = (int) (w * (0.6 + 0.4 * rng.nextDouble()));
                int y = rng.nextInt(h - ch + 1), x = rng.nextInt(w - cw + 1);
                boolean flip = rng.nextBoolean();
                int longSide = 4 * (MIN_LONG_SIDE / 4 + rng.nextInt((MAX_LONG_SIDE - MIN_LONG_SIDE) / 4 + 1)); // 4:3 exactly
                boolean landscape = rng.nextInt(4) != 0;
                int outW = landscape ? longSide : longSide * 3 / 4, outH = landscape ? longSide * 3 / 4 : longSide;
                int quality = MIN_QUALITY + rng.nextInt(MAX_QUALITY - MIN_QUALITY + 1);
                BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = out.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                // the crop, mirrored when flip, drawn onto the whole output
                g.drawImage(src, flip ? outW : 0, 0, flip ? 0 : outW, outH, x, y, x + cw, y + ch, null);
                g.dispose();
                Files.write(photos().resolve(String.format(Locale.ROOT, "%06d.jpg", i)), jpeg(writer, out, quality), StandardOpenOption.CREATE_NEW);
            }
        } finally {
            writer.dispose();
        }
    }

    private static byte[] jpeg(ImageWriter writer, BufferedImage img, int quality) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(img, null, null), p);
        }
        return bytes.toByteArray();
    }

    private void makeWeights() throws IOException {
        Random rng = new Random(SEED + 1);
        double[] w = new double[C_OUT * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = rng.nextGaussian();
        double[] b = new double[C_OUT];
        for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
        write(weights(), new int[] {C_OUT, 3, 3, 3}, w);
        write(bias(), new int[] {C_OUT}, b);
    }

    private static void write(Path p, int[] shape, double[] v) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p, StandardOpenOption.CREATE_NEW))) {
            NpyArray.write(out, shape, v);
        }
    }

    /** The photos in name order. */
    public List<Path> photoFiles() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(photos())) {
            return s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(java.util.stream.Collectors.toList());
        }
    }

    /** Width and height of each photo, in {@link #photoFiles} order, read from the JPEG headers. */
    public List<int[]> sizes() throws IOException {
        List<int[]> out = new ArrayList<>();
        for (Path p : photoFiles()) {
            try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(p.toFile())) {
                javax.imageio.ImageReader r = ImageIO.getImageReaders(in).next();
                try {
                    r.setInput(in);
                    out.add(new int[] {r.getWidth(0), r.getHeight(0)});
                } finally {
                    r.dispose();
                }
            }
        }
        return out;
    }

    /** The photos' pixels (width x height) summed. */
    public long pixels() throws IOException {
        long n = 0;
        for (int[] s : sizes()) n += (long) s[0] * s[1];
        return n;
    }

    /** W8s: the photos as {@value #SHARDS} uncompressed WebDataset shards of consecutive files, made once. */
    public Path ensureShards() throws IOException {
        if (Files.exists(dir.resolve("shards.made"))) return shards();
        if (Files.exists(shards())) throw new IllegalArgumentException(shards() + " exists but is unfinished: delete it to make it again");
        Path tmp = dir.resolve("shards.partial");
        if (Files.exists(tmp)) Files.walk(tmp).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Files.createDirectories(tmp);
        List<Path> files = photoFiles();
        int per = (files.size() + SHARDS - 1) / SHARDS;
        for (int k = 0; k * per < files.size(); k++) {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve(String.format(Locale.ROOT, "shard-%05d.tar", k)), StandardOpenOption.CREATE_NEW), 1 << 20))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Path p : files.subList(k * per, Math.min(files.size(), (k + 1) * per))) {
                    byte[] b = Files.readAllBytes(p);
                    TarArchiveEntry e = new TarArchiveEntry(p.getFileName().toString());
                    e.setSize(b.length);
                    tar.putArchiveEntry(e);
                    tar.write(b);
                    tar.closeArchiveEntry();
                }
            }
        }
        Files.move(tmp, shards());
        Files.writeString(dir.resolve("shards.made"), "W8s " + SHARDS + " shards of " + files.size() + " photos\n", StandardCharsets.UTF_8);
        return shards();
    }

    /** W8t: the photos as a Parquet image table of {@value #SHARDS} files, {@code image struct<bytes, path>}, written by Spark once. */
    public Path ensureTable(org.apache.spark.sql.SparkSession spark) throws IOException {
        if (Files.exists(dir.resolve("table.made"))) return table();
        if (Files.exists(table())) throw new IllegalArgumentException(table() + " exists but is unfinished: delete it to make it again");
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (Path p : photoFiles()) {
            rows.add(org.apache.spark.sql.RowFactory.create(org.apache.spark.sql.RowFactory.create(Files.readAllBytes(p), p.getFileName().toString())));
        }
        org.apache.spark.sql.types.StructType image = new org.apache.spark.sql.types.StructType()
                .add("bytes", org.apache.spark.sql.types.DataTypes.BinaryType).add("path", org.apache.spark.sql.types.DataTypes.StringType);
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType().add("image", image);
        org.apache.spark.api.java.JavaSparkContext sc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.createDataFrame(sc.parallelize(rows, SHARDS), schema).write().parquet(table().toUri().toString());
        Files.writeString(dir.resolve("table.made"), "W8t " + SHARDS + " Parquet files of " + rows.size() + " photos\n", StandardCharsets.UTF_8);
        return table();
    }
}
