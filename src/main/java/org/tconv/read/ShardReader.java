package org.tconv.read;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;

/**
 * Reads one WebDataset shard inside its task, streaming: each member with an input extension becomes one
 * {@link ImageBatch}, named {@code <shard path>/<member name>}, decoded as a loose file of that name would
 * be; its output goes to {@code <shard folder>/<member name without extension>} (see
 * {@link WebDatasetShards#outputFolder}). Nothing is unpacked to disk and only one member's bytes are held
 * at a time. A member that cannot be used is rejected under its name and the next one is read; a shard
 * whose stream breaks (bad gzip, cut-off tar) is rejected under its own path after the members read so far.
 */
public final class ShardReader implements Iterator<ImageBatch> {
    /**
     * Deflate expands at most about 1032:1; a gzip member claiming more than this many bytes per byte of
     * the shard is lying.
     */
    static final long GZIP_MAX_RATIO = 1032;

    private final InputFile shard;
    private final InputDecoder decoder;
    private final boolean uniqueStems;
    private final String folder;
    private final long shardBytes;
    private final boolean gzip;
    private TarArchiveInputStream tar;
    /** A range of a big shard ({@link ShardRange}): its entries, found by seeking; null when streaming a whole shard. */
    private TarFile tarFile;
    private Iterator<TarArchiveEntry> entries;
    private TarArchiveEntry current;
    private final ShardRange range;
    private final Map<String, String> seenOutputs = new HashMap<>();
    private final boolean keepCompanions;
    /** Rows of samples complete (the next member has another key) and not yet taken. */
    private final java.util.ArrayDeque<ImageBatch> ready = new java.util.ArrayDeque<>();
    /** The sample being read: WebDataset keeps a sample's members one after another. */
    private final java.util.List<ImageBatch> sample = new java.util.ArrayList<>();
    private final Map<String, byte[]> companions = new java.util.TreeMap<>();
    private String sampleKey;
    private int membersRead;
    private boolean done;

    /**
     * @param uniqueStems true when outputs are named after the member without its extension (npy, png):
     *        then {@code 000.jpg} and {@code 000.png} of one shard would write one file, and the later is rejected
     */
    public ShardReader(InputFile shard, Configuration conf, InputDecoder decoder, boolean uniqueStems) {
        this(shard, conf, decoder, uniqueStems, false);
    }

    /**
     * @param keepCompanions attach the sample's {@code .json}, {@code .cls} and {@code .txt} members to its rows
     *        ({@code --format webdataset} copies them beside the result)
     */
    public ShardReader(InputFile shard, Configuration conf, InputDecoder decoder, boolean uniqueStems, boolean keepCompanions) {
        this.range = null;
        this.keepCompanions = keepCompanions;
        this.shard = shard;
        this.decoder = decoder;
        this.uniqueStems = uniqueStems;
        this.folder = WebDatasetShards.outputFolder(shard);
        this.gzip = WebDatasetShards.gzipped(shard);
        long len = -1;
        try {
            Path p = new Path(shard.path);
            FileSystem fs = p.getFileSystem(conf);
            len = fs.getFileStatus(p).getLen();
            InputStream in = new BufferedInputStream(fs.open(p), 1 << 16);
            tar = new TarArchiveInputStream(gzip ? new GzipCompressorInputStream(in, true) : in);
        } catch (IOException | RuntimeException e) {
            ready.add(ImageBatch.rejected(shard, "cannot read shard: " + InputDecoder.oneLine(e)));
            done = true;
        }
        this.shardBytes = len;
    }

    /**
     * Reads the members of one range of an uncompressed tar ({@link ShardRange}): the tar's headers are read
     * by seeking over the data before the range (Commons Compress's {@link TarFile}), and only the members
     * whose header block starts in the range are read and decoded. The names of the members before it are
     * still claimed, so a second member of one name is rejected as when one task reads the whole shard.
     * Companions are not attached: {@code --format webdataset} writes one tar per input shard, so its shards
     * are not split.
     */
    public ShardReader(ShardRange range, Configuration conf, InputDecoder decoder, boolean uniqueStems) {
        this.range = range;
        this.keepCompanions = false;
        this.shard = range;
        this.decoder = decoder;
        this.uniqueStems = uniqueStems;
        this.folder = WebDatasetShards.outputFolder(range);
        this.gzip = false;
        long len = -1;
        try {
            Path p = new Path(range.path);
            FileSystem fs = p.getFileSystem(conf);
            len = fs.getFileStatus(p).getLen();
            tarFile = new TarFile(new HadoopSeekableChannel(fs.open(p), len));
            entries = tarFile.getEntries().iterator();
        } catch (IOException | RuntimeException e) {
            ready.add(ImageBatch.rejected(range, "cannot read shard: " + InputDecoder.oneLine(e)));
            done = true;
        }
        this.shardBytes = len;
    }

    private TarArchiveEntry nextEntry() throws IOException {
        if (tarFile == null) return tar.getNextEntry();
        current = entries.hasNext() ? entries.next() : null;
        return current;
    }

    /** The current entry's bytes: read once, by the one caller that takes them. */
    private InputStream data() throws IOException {
        return tarFile == null ? tar : tarFile.getInputStream(current);
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !done) readSome();
        return !ready.isEmpty();
    }

    @Override
    public ImageBatch next() {
        if (!hasNext()) throw new NoSuchElementException();
        return ready.poll();
    }

    /** Reads members until a sample is complete or the shard ends. */
    private void readSome() {
        try {
            TarArchiveEntry e;
            while ((e = nextEntry()) != null) {
                if (!regularFile(e)) continue; // folders, links, devices: not samples
                String name = stripDot(e.getName());
                if (hidden(name)) continue;
                boolean input = isInput(name);
                if (range != null) {
                    long header = e.getDataOffset() - TarConstants.DEFAULT_RCDSIZE;
                    if (header >= range.end) break;
                    if (!range.holds(header)) { // before the range: another task's, but its name counts here too
                        if (input && safe(name)) seenOutputs.putIfAbsent(outputKey(name), shard.path + "/" + name);
                        continue;
                    }
                }
                if (!input && !(keepCompanions && isCompanion(name))) continue;
                String key = sampleKey(name);
                if (!key.equals(sampleKey)) {
                    endSample();
                    sampleKey = key;
                }
                if (input) {
                    membersRead++;
                    sample.add(safe(name) ? member(e, name) : ImageBatch.rejected(new InputFile(shard.path + "/" + name, name),
                            "member name would put its output outside the shard's folder " + folder + "/"));
                } else if (safe(name) && admit(e.getSize(), shardBytes, gzip) == null && e.getSize() <= MAX_COMPANION_BYTES) {
                    byte[] bytes = data().readNBytes((int) e.getSize());
                    if (bytes.length == e.getSize()) companions.put(name.substring(key.length() + 1), bytes);
                }
                if (!ready.isEmpty()) return;
            }
            finish(null);
        } catch (IOException | RuntimeException ex) {
            finish("cannot read shard after " + membersRead + " input member(s): " + InputDecoder.oneLine(ex));
        }
    }

    private void endSample() {
        for (ImageBatch b : sample) {
            if (keepCompanions && !companions.isEmpty()) b.setCompanions(new java.util.TreeMap<>(companions));
            b.setShardFolder(folder);
            ready.add(b);
        }
        sample.clear();
        companions.clear();
    }

    private void finish(String failure) {
        endSample();
        done = true;
        IOUtils.closeStream(tar);
        IOUtils.closeStream(tarFile);
        if (failure != null) ready.add(ImageBatch.rejected(shard, failure));
    }

    /**
     * A member that holds its own bytes. Commons Compress's {@code isFile()} is true for every entry that
     * is not a folder, symbolic and hard links included (their data is empty: the target is a name in the
     * header), so links are left out here by their type flag, as WebDataset's own reader keeps only
     * {@code TarInfo.isreg()} members. A hard link is ignored too: following it would mean keeping every
     * earlier member's bytes, or reading the shard twice.
     */
    static boolean regularFile(TarArchiveEntry e) {
        return e.isFile() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO();
    }

    /** Labels and captions are small; a larger member with such a name is not copied. */
    static final int MAX_COMPANION_BYTES = 16 << 20;

    static boolean isCompanion(String name) {
        return List.of("json", "cls", "txt").contains(new InputFile(name, name).extension());
    }

    /** WebDataset's sample key: the member's path up to the first dot of its file name. */
    public static String sampleKey(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', slash + 1);
        return dot < 0 ? name : name.substring(0, dot);
    }

    private ImageBatch member(TarArchiveEntry e, String name) throws IOException {
        InputFile f = new InputFile(shard.path + "/" + name, folder + "/" + name);
        String earlier = seenOutputs.putIfAbsent(outputKey(name), f.path);
        if (earlier != null) {
            return ImageBatch.rejected(f, earlier.equals(f.path)
                    ? "the shard holds a second member of this name; the first one was used"
                    : "its output would overwrite the output of " + earlier);
        }
        if (e.isSparse()) return ImageBatch.rejected(f, "sparse tar members are not read");
        String refusal = admit(e.getSize(), shardBytes, gzip);
        if (refusal != null) return ImageBatch.rejected(f, refusal);
        byte[] bytes = new byte[(int) e.getSize()];
        int total = data().readNBytes(bytes, 0, bytes.length);
        if (total < bytes.length) {
            return ImageBatch.rejected(f, "member cut off: its header claims " + bytes.length + " bytes, the shard holds " + total);
        }
        return decoder.decodeBytes(f, bytes);
    }

    /** What a member's output is named by; two members with one such name would write one file. */
    private String outputKey(String name) {
        InputFile f = new InputFile(shard.path + "/" + name, folder + "/" + name);
        // webdataset output names a result after its sample's key: a.b.jpg and a.c.png would both be a.npy
        return keepCompanions ? folder + "/" + sampleKey(name) : uniqueStems ? f.relativeStem() : f.relative;
    }

    /**
     * Whether a member whose tar header claims {@code claimed} bytes may be read into memory; null if so, the
     * reason if not. The header is a claim: it must fit what the shard itself could hold, and the memory one
     * member may take. The one place to change when decoders share a memory budget.
     */
    static String admit(long claimed, long shardBytes, boolean gzip) {
        if (claimed < 0) return "member's tar header gives a negative size";
        long evidence = shardBytes < 0 ? Long.MAX_VALUE : gzip ? Math.multiplyExact(Math.max(shardBytes, 1), GZIP_MAX_RATIO) : shardBytes;
        if (claimed > evidence) {
            return "member's tar header claims " + claimed + " bytes, more than a " + (gzip ? "gzip " : "") + "shard of " + shardBytes + " bytes can hold";
        }
        long limit = maxMemberBytes();
        if (claimed > limit) return "member of " + claimed + " bytes is larger than the " + limit + " bytes a member may take (1/8 of the heap, at most 2 GB)";
        return null;
    }

    static long maxMemberBytes() {
        return Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 8);
    }

    private static String stripDot(String raw) {
        String n = raw;
        while (n.startsWith("./")) n = n.substring(2);
        return n;
    }

    /** Hidden members are not inputs, as hidden files are not ({@code ._x.jpg} from macOS tar). */
    static boolean hidden(String name) {
        for (String part : name.split("/")) {
            if (part.startsWith(".") && !part.equals("..") || part.startsWith("_")) return true;
        }
        return false;
    }

    /** Not absolute, no {@code ..} and no empty parts: the output stays inside the shard's folder. */
    static boolean safe(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\")) return false;
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals("..")) return false;
        }
        return true;
    }

    static boolean isInput(String name) {
        return WebDatasetShards.INPUT_EXTENSIONS.contains(new InputFile(name, name).extension());
    }
}
