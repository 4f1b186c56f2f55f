package org.tconv.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tconv.testing.TestFiles;

/**
 * Output shapes and refusals against tables PyTorch computed ({@code golden/pytorch-output-sizes.csv} for
 * Conv1d/Conv2d, {@code golden/pytorch-output-sizes-3d.csv} for Conv3d, made by
 * {@code src/test/python/make_conv3d_sizes.py}): module construction plus a forward pass on zeros, or the
 * error torch raised.
 */
class PyTorchOutputSizesTest {

    static Stream<Arguments> rows() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String table : new String[] {"pytorch-output-sizes.csv", "pytorch-output-sizes-3d.csv"}) {
            List<String> lines = Files.readAllLines(TestFiles.home().resolve("src/test/resources/golden/" + table));
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                out.add(Arguments.of((Object) csv(line)));
            }
        }
        assertFalse(out.isEmpty());
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void sameShapeOrRefusalAsPyTorch(String[] row) {
        // dims,c_in,c_out,groups,kernel,input,stride,padding,dilation,padding_mode,result,torch_message
        int dims = Integer.parseInt(row[0]);
        int cIn = Integer.parseInt(row[1]), cOut = Integer.parseInt(row[2]), groups = Integer.parseInt(row[3]);
        int[] k = ints(row[4]);
        int[] input = ints(row[5]);
        int[] ws = new int[dims + 2];
        ws[0] = cOut;
        ws[1] = groups > 0 ? cIn / groups : cIn;
        System.arraycopy(k, 0, ws, 2, dims);
        long size = 1;
        for (int v : ws) size *= Math.max(v, 0);
        final int n = (int) size;
        String padding = row[7].replace('x', ',');
        String expected = row[10];
        Runnable build = () -> {
            if (groups > 0 && cIn % groups != 0) {
                throw new IllegalArgumentException("in_channels must be divisible by groups"); // not expressible as weights
            }
            ConvSpec spec = ConvSpec.builder(ws, new double[n])
                    .groups(groups)
                    .stride(IntTuple.parse("stride", row[6].replace('x', ',')))
                    .padding(Padding.parse(padding))
                    .dilation(IntTuple.parse("dilation", row[8].replace('x', ',')))
                    .paddingMode(PaddingMode.parse(row[9]))
                    .build();
            int[] out = spec.outputShape(input);
            if (expected.equals("error")) throw new AssertionError("torch refused (" + row[11] + ") but tconv gives " + Arrays.toString(out));
            assertArrayEquals(ints(expected), out, String.join(",", row));
        };
        if (expected.equals("error")) {
            assertThrows(RuntimeException.class, build::run, () -> "torch refused: " + row[11]);
        } else {
            build.run();
        }
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.trim().split("x")).mapToInt(Integer::parseInt).toArray();
    }

    /** Splits one CSV line, honouring quoted fields. */
    static String[] csv(String line) {
        List<String> f = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (q) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else if (c == '"') q = false;
                else cur.append(c);
            } else if (c == '"') q = true;
            else if (c == ',') { f.add(cur.toString()); cur.setLength(0); }
            else cur.append(c);
        }
        f.add(cur.toString());
        return f.toArray(new String[0]);
    }
}
