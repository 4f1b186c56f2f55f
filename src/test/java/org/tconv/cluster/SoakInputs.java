package org.tconv.cluster;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tconv.read.NpyArray;

/**
 * The soak job's input: {@code images} small 3-channel images (28x28), half of them in WebDataset shards of
 * {@value #PER_SHARD} samples ({@code .png} or {@code .npy} with a {@code .cls} companion), half loose in
 * folders of {@value #PER_FOLDER}; one image in four is an {@code .npy}, the rest PNG. Also inputs that must
 * be rejected, so {@code _rejected.csv} has lines to compare: a loose PNG that is not one, a cut-off loose
 * {@code .npy}, a broken member inside the first shard, and a shard cut off in the middle of a member (its
 * {@value #CUT_SHARD_WHOLE} whole members before the cut are still inputs). Seeded: the same arguments
 * always give the same bytes.
 */
final class SoakInputs {
    static final int SIDE = 28;
    static final int PER_SHARD = 500;
    static final int PER_FOLDER = 500;
    static final int CUT_SHARD_WHOLE = 7;
    /** The rejected inputs: the broken loose PNG, the cut-off loose npy, the broken shard member, the cut-off shard. */
    static final int REJECTED = 4;

    final Path dir;
    final Path weights;
    final int images;

    private SoakInputs(Path dir, Path weights, int images) {
        this.dir = dir;
        this.weights = weights;
        this.images = images;
    }

    /** Images that must each give exactly one output (a result file, row or tar member). */
    int goodImages() {
        return images + CUT_SHARD_WHOLE;
    }

    /** Makes the inputs under {@code root}, or reuses those an earlier call made with the same count. */
    static SoakInputs make(Path root, int images) throws IOException {
        Path dir = root.resolve("in-" + images);
        Path weights = root.resolve("weights.npy");
        Path done = root.resolve("in-" + images + ".done");
        SoakInputs in = new SoakInputs(dir, weights, images);
        if (Files.exists(done) && Files.exists(weights)) return in;
        ClusterIT.deleteTree(dir);
        Random r = new Random(20261208L + images);
        double[] w = new double[3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        Files.createDirectories(root);
        Files.write(weights, NpyArray.toBytes(new int[] {1, 3, 3, 3}, w));

        int inShards = images / 2;
        for (int s = 0; s * PER_SHARD < inShards; s++) {
            int n = Math.min(PER_SHARD, inShards - s * PER_SHARD);
            Path shard = dir.resolve(String.format("shards/shard-%04d.tar", s));
            Files.createDirectories(shard.getParent());
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(shard))) {
                for (int i = 0; i < n; i++) {
                    int id = s * PER_SHARD + i;
                    String key = String.format("%06d", id);
                    boolean npy = id % 4 == 3;
                    put(tar, key + (npy ? ".npy" : ".png"), npy ? npy(r) : png(r));
                    put(tar, key + ".cls", Integer.toString(id % 10).getBytes(StandardCharsets.UTF_8));
                }
                if (s == 0) put(tar, "broken-member.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
            }
        }
        for (int i = 0; i < images - inShards; i++) {
            boolean npy = i % 4 == 3;
            Path f = dir.resolve(String.format("loose/f%03d/img-%06d.%s", i / PER_FOLDER, i, npy ? "npy" : "png"));
            Files.createDirectories(f.getParent());
            Files.write(f, npy ? npy(r) : png(r));
        }
        Files.createDirectories(dir.resolve("loose/bad"));
        Files.write(dir.resolve("loose/bad/not-a.png"), "no PNG here".getBytes(StandardCharsets.UTF_8));
        byte[] whole = npy(r);
        Files.write(dir.resolve("loose/bad/cut.npy"), java.util.Arrays.copyOf(whole, whole.length / 2));
        writeCutShard(dir.resolve("shards/cut-off.tar"), r);
        Files.createFile(done);
        return in;
    }

    /** A shard of {@value #CUT_SHARD_WHOLE} whole samples and half of one more: the tar ends inside that member. */
    private static void writeCutShard(Path shard, Random r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i <= CUT_SHARD_WHOLE; i++) put(tar, String.format("cut-%03d.npy", i), npy(r));
        }
        byte[] all = bytes.toByteArray();
        int member = npy(new Random(0)).length;
        // each member: a 512-byte header and its data padded to 512; cut in the middle of the last one's data
        int cut = CUT_SHARD_WHOLE * (512 + pad512(member)) + 512 + member / 2;
        try (OutputStream out = Files.newOutputStream(shard)) {
            out.write(all, 0, cut);
        }
    }

    private static int pad512(int n) {
        return (n + 511) / 512 * 512;
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static byte[] png(Random r) throws IOException {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static byte[] npy(Random r) {
        double[] x = new double[3 * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(256);
        return NpyArray.toBytes(new int[] {3, SIDE, SIDE}, x);
    }
}
