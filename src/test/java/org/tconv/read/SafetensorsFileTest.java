package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * Weights straight from a checkpoint: each tensor of {@code model.safetensors} (written by
 * {@code src/test/python/make_safetensors.py} from the format's spec, with json and struct) equals the
 * float64 {@code .npy} numpy wrote of the same values; what the file claims is checked before it is used.
 */
class SafetensorsFileTest {
    private static final Path DIR = TestFiles.home().resolve("src/test/resources/safetensors");

    @TempDir
    Path tmp;

    private static NpyArray load(String spec) {
        return WeightsFile.load("weights", spec, new Configuration());
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv1.weight", "conv1.bias", "conv2.weight", "conv3.weight", "conv4.weight"})
    void eachTensorEqualsNumpysValues(String name) throws IOException {
        NpyArray expected = NpyArray.read(Files.readAllBytes(DIR.resolve(name + ".npy")));
        NpyArray got = load(DIR.resolve("model.safetensors") + ":" + name);
        assertArrayEquals(expected.shape, got.shape, name);
        assertArrayEquals(expected.data, got.data, 0.0, name);
    }

    @Test
    void theOnlyTensorNeedsNoName() {
        NpyArray w = load(DIR.resolve("single.safetensors").toString());
        assertArrayEquals(new int[] {1, 1, 3}, w.shape);
        assertArrayEquals(new double[] {0.25, 0.5, 0.25}, w.data, 0.0);
    }

    @Test
    void namesAreListedWhenOneIsMissingOrNeeded() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(DIR.resolve("model.safetensors") + ":fc.weight"));
        assertTrue(e.getMessage().contains("no tensor 'fc.weight'") && e.getMessage().contains("conv1.weight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> load(DIR.resolve("model.safetensors").toString()));
        assertTrue(e.getMessage().contains("5 tensors in the file: name one as model.safetensors:NAME"), e.getMessage());
    }

    private Path file(long headerLength, String json, int dataBytes) throws IOException {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(text);
        Path p = tmp.resolve("bad-" + Math.abs(json.hashCode()) + "-" + headerLength + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void whatTheFileClaimsIsCheckedFirst() throws IOException {
        String ok = "{\"w\":{\"dtype\":\"F64\",\"shape\":[1,1,2],\"data_offsets\":[0,16]}}";
        String[][] cases = {
            {"" + (1L << 40), ok, "16", "header length 1099511627776 for a file of"},
            {"-1", ok, "16", "header length 18446744073709551615"},
            {"len", ok.replace("[0,16]", "[0,1600000000]"), "16", "claims bytes 0..1600000000 but the file holds 16"},
            {"len", ok.replace("[1,1,2]", "[1,1,3]"), "16", "has 16 bytes, not 24"},
            {"len", ok.replace("[1,1,2]", "[65536,65536,65536]"), "16", "not an array's worth"},
            {"len", ok.replace("F64", "I64"), "16", "dtype 'I64'"},
            {"7", "[1,2,3]", "16", "not a JSON object"},
            {"10", "not json!!", "0", "header is not JSON"},
        };
        for (String[] c : cases) {
            long headerLength = c[0].equals("len") ? c[1].length() : Long.parseLong(c[0]);
            Path p = file(headerLength, c[1], Integer.parseInt(c[2]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(p + ":w"), c[3]);
            assertTrue(e.getMessage().contains(c[3]), e.getMessage());
            assertTrue(e.getMessage().startsWith("weights file " + p), e.getMessage());
        }
    }

    @Test
    void runTakesWeightsAndBiasFromTheCheckpoint() throws IOException {
        double[] x = new double[64];
        for (int i = 0; i < x.length; i++) x[i] = (i * 37 % 11) - 5;
        Path in = TestFiles.write(tmp.resolve("in/x.npy"), new int[] {1, 8, 8}, x);
        String ckpt = DIR.resolve("model.safetensors").toString();
        Cli a = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("a").toString(), "--format", "npy", "--padding", "1",
                "--weights", ckpt + ":conv1.weight", "--bias", ckpt + ":conv1.bias");
        Cli b = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("b").toString(), "--format", "npy", "--padding", "1",
                "--weights", DIR.resolve("conv1.weight.npy").toString(), "--bias", DIR.resolve("conv1.bias.npy").toString());
        assertEquals(0, a.status, a::toString);
        assertEquals(0, b.status, b::toString);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("b/x.npy")), Files.readAllBytes(tmp.resolve("a/x.npy")));
        Cli bad = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("c").toString(), "--weights", ckpt + ":nope");
        assertEquals(1, bad.status, bad::toString);
        assertTrue(bad.err.contains("no tensor 'nope'"), bad::toString);
    }
}
