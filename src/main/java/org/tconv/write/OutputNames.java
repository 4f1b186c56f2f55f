package org.tconv.write;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.Path;

/**
 * The files under the output an input will write, and the check that no two inputs write the same one.
 * The writer names its files here and the job checks them here before anything is written, so the two
 * cannot disagree: {@code npy} writes {@code <stem>.npy}; {@code png} writes {@code <stem>.png}, or
 * {@code <stem>_<i>.png} for each item of a batch; {@code parquet} writes rows, no named files.
 *
 * <p>A name is refused when a component is longer than a file name may be (255 bytes on Linux file systems
 * and HDFS), when Hadoop's Path would not keep it as it is, when another input already writes it, and when
 * it is a file where another output needs a directory or the other way round ({@code x.npy} from
 * {@code x.png}, and {@code x.npy/y.npy} from {@code x.npy/y.png}), and when it holds a colon anywhere but on
 * the local file system.
 */
public final class OutputNames {
    /** NAME_MAX of Linux file systems and HDFS's default {@code dfs.namenode.fs-limits.max-component-length}. */
    public static final int MAX_NAME_BYTES = 255;

    private final Map<String, String> files = new HashMap<>();
    private final Map<String, String> dirs = new HashMap<>();
    private final boolean colonAllowed;

    /**
     * @param colonAllowed whether a name may hold a colon: on file: (see {@link ColonNamesCommitter}), not on
     *     HDFS, which refuses it, nor through committers of other stores, whose handling is not known
     */
    public OutputNames(boolean colonAllowed) {
        this.colonAllowed = colonAllowed;
    }

    /** For an output on the file system of {@code outputScheme}. */
    public static OutputNames forScheme(String outputScheme) {
        return new OutputNames("file".equals(outputScheme));
    }

    /**
     * The relative names an input writes.
     *
     * @param relativeStem the input's path below the input root without its extension
     * @param batchItems the items of a batch file, 0 when the file is not a batch
     */
    public static List<String> of(String relativeStem, OutputFormat format, int batchItems) {
        List<String> names = new ArrayList<>();
        if (format == OutputFormat.NPY) {
            names.add(relativeStem + ".npy");
        } else if (format == OutputFormat.PNG) {
            if (batchItems == 0) {
                names.add(relativeStem + ".png");
            } else {
                for (int i = 0; i < batchItems; i++) names.add(relativeStem + "_" + i + ".png");
            }
        }
        return names;
    }

    /**
     * Claims an input's names for it, or says why they cannot be written; nothing is claimed then.
     *
     * @return null when the names are now this input's, else the reason
     */
    public String claim(String input, List<String> names) {
        for (String name : names) {
            String bad = badName(name);
            if (bad != null) return "output name " + name + " " + bad;
            String other = files.get(name);
            if (other != null) return "output " + name + " would overwrite the output of " + other;
            other = dirs.get(name);
            if (other != null) return "output " + name + " would be a file where the output of " + other + " needs a directory";
            for (String dir : parents(name)) {
                other = files.get(dir);
                if (other != null) return "output " + name + " needs a directory " + dir + " where the output of " + other + " is a file";
            }
        }
        for (String name : names) {
            files.put(name, input);
            for (String dir : parents(name)) dirs.putIfAbsent(dir, input);
        }
        return null;
    }

    private String badName(String name) {
        for (String part : name.split("/", -1)) {
            int bytes = part.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) return "is too long: " + bytes + " bytes in one name, at most " + MAX_NAME_BYTES;
            if (part.isEmpty() || part.equals(".") || part.equals("..")) return "has an empty, '.' or '..' component";
            if (!colonAllowed && part.indexOf(':') >= 0) {
                return "holds a colon, which this output's file system or committer cannot hold: rename the input";
            }
        }
        if (!path(new Path("/out"), name).toUri().getPath().equals("/out/" + name)) return "is changed by Hadoop's Path";
        return null;
    }

    private static List<String> parents(String name) {
        List<String> p = new ArrayList<>();
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) p.add(name.substring(0, slash));
        return p;
    }

    /** {@code dir/name} for a relative name, the name taken literally: a colon in it is not read as a scheme. */
    public static Path path(Path dir, String name) {
        return new Path(dir, new Path(null, null, name));
    }
}
