package org.tconv.read;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tconv.conv.IntTuple;

/**
 * One tensor of a safetensors checkpoint, as float64: {@code --weights model.safetensors:conv1.weight}.
 *
 * <p>The format (Hugging Face's safetensors): an 8-byte little-endian header length N, N bytes of JSON
 * giving each tensor's {@code dtype}, {@code shape} and {@code data_offsets} (begin, end, from the first
 * byte after the header), then the raw little-endian tensors. F64, F32, F16 and BF16 are read (each
 * exactly representable as float64). Nothing the file claims is trusted: N must fit the file and the
 * format's own 100 MB limit before it is read, and a tensor's range must lie in the file and hold exactly
 * its shape's values before its bytes are read. Jackson, which Spark brings, parses the header.
 */
final class SafetensorsFile {
    /** The safetensors library refuses larger headers too. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafetensorsFile() {}

    /** {@code tensor} null: the file's only tensor. */
    static NpyArray read(FileSystem fs, Path path, String tensor) throws IOException {
        long length = fs.getFileStatus(path).getLen();
        try (FSDataInputStream in = fs.open(path)) {
            if (length < 8) throw new IllegalArgumentException("not a safetensors file: " + length + " bytes, shorter than its header length");
            byte[] n8 = new byte[8];
            in.readFully(0, n8);
            long n = ByteBuffer.wrap(n8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 2 || n > MAX_HEADER_BYTES || n > length - 8) {
                throw new IllegalArgumentException("not a safetensors file: header length " + Long.toUnsignedString(n)
                        + " for a file of " + length + " bytes");
            }
            byte[] text = new byte[(int) n];
            in.readFully(8, text);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(text);
            } catch (IOException e) {
                throw new IllegalArgumentException("not a safetensors file: its header is not JSON");
            }
            if (header == null || !header.isObject()) throw new IllegalArgumentException("not a safetensors file: its header is not a JSON object");
            List<String> names = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                String name = it.next().getKey();
                if (!name.equals("__metadata__")) names.add(name);
            }
            String name = tensor;
            if (name == null) {
                if (names.size() != 1) {
                    throw new IllegalArgumentException(names.size() + " tensors in the file: name one as " + path.getName()
                            + ":NAME (" + list(names) + ")");
                }
                name = names.get(0);
            }
            JsonNode t = header.get(name);
            if (t == null || name.equals("__metadata__")) {
                throw new IllegalArgumentException("no tensor '" + name + "' in the file (" + list(names) + ")");
            }
            return tensor(in, name, t, length, 8 + n);
        } catch (EOFException e) {
            throw new IllegalArgumentException("the file is cut off");
        }
    }

    private static NpyArray tensor(FSDataInputStream in, String name, JsonNode t, long length, long dataStart) throws IOException {
        String dtype = t.path("dtype").asText("");
        int size = switch (dtype) {
            case "F64" -> 8;
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has dtype '" + dtype + "'; weights must be F64, F32, F16 or BF16");
        };
        JsonNode shapeNode = t.path("shape"), offsets = t.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new IllegalArgumentException("tensor '" + name + "' has no shape or data_offsets");
        }
        int[] shape = new int[shapeNode.size()];
        long values = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = shapeNode.get(i).asLong(-1);
            if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor '" + name + "' has a bad shape " + shapeNode);
            shape[i] = (int) d;
            values = Math.multiplyHigh(values, d) != 0 ? Long.MAX_VALUE : values * d;
        }
        long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > length - dataStart) {
            throw new IllegalArgumentException("tensor '" + name + "' claims bytes " + begin + ".." + end + " but the file holds "
                    + (length - dataStart) + " after its header");
        }
        if (values > Integer.MAX_VALUE || end - begin != values * size) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape (" + IntTuple.format(shape) + ") and dtype " + dtype
                    + " has " + (end - begin) + " bytes, not " + (values > Integer.MAX_VALUE ? "an array's worth" : values * size));
        }
        byte[] raw = new byte[(int) (end - begin)];
        in.readFully(dataStart + begin, raw);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] data = new double[(int) values];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (dtype) {
                case "F64" -> b.getDouble();
                case "F32" -> b.getFloat();
                case "F16" -> Float.intBitsToFloat(half(b.getShort()));
                default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            };
        }
        return new NpyArray(shape, data, dtype.equals("F64") ? "<f8" : "<f4");
    }

    /** IEEE half to float bits (Java 17 has no Float.float16ToFloat). */
    private static int half(short h) {
        int sign = (h & 0x8000) << 16, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
        if (exp == 0x1f) return sign | 0x7f800000 | (mant << 13);
        if (exp == 0) {
            if (mant == 0) return sign;
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while ((mant & 0x400) == 0);
            return sign | ((127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
        return sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }

    private static String list(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names) : String.join(", ", names.subList(0, 8)) + ", ... " + names.size() + " in all";
    }
}
