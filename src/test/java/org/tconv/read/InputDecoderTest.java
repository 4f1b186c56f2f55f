package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;
import org.tconv.conv.Padding;

/** Which input ranks each weight rank takes, and what an accepted item's input and output shapes are. */
class InputDecoderTest {
    /** Conv3d weights (2, 1, 3, 3, 3), padding 1: a volume keeps its (D, H, W). */
    static final ConvSpec CONV3D = ConvSpec.builder(new int[] {2, 1, 3, 3, 3}, new double[54]).padding(Padding.of(1)).build();
    static final ConvSpec CONV2D = ConvSpec.builder(new int[] {2, 1, 3, 3}, new double[18]).padding(Padding.of(1)).build();

    static ImageBatch decode(ConvSpec spec, String name, byte[] bytes) {
        return new InputDecoder(spec).decode(new InputFile("file:/in/" + name, name), bytes);
    }

    static byte[] npy(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return NpyArray.toBytes(shape, v);
    }

    @Test
    void aVolumeWithoutChannelAxisIsOneChannel() {
        ImageBatch b = decode(CONV3D, "v.npy", npy(4, 5, 6));
        assertArrayEquals(new int[] {1, 4, 5, 6}, b.getShape());
        assertArrayEquals(new int[] {2, 4, 5, 6}, b.getOutShape());
        assertArrayEquals(new int[] {2, 4, 5, 6}, b.outFileShape(), "no N axis in the output");
        assertEquals(1, b.getCount());
        assertEquals(119.0, b.getValues()[119], "values in C order, as stored");
    }

    @Test
    void aChannelVolumeAndABatchOfVolumes() {
        ImageBatch one = decode(CONV3D, "v.npy", npy(1, 3, 4, 5));
        assertArrayEquals(new int[] {1, 3, 4, 5}, one.getShape());
        ImageBatch batch = decode(CONV3D, "b.npy", npy(3, 1, 3, 4, 5));
        assertEquals(3, batch.getCount());
        assertTrue(batch.isBatched());
        assertArrayEquals(new int[] {1, 3, 4, 5}, batch.getShape());
        assertArrayEquals(new int[] {3, 2, 3, 4, 5}, batch.outFileShape(), "(N, C_out, oD, oH, oW)");
    }

    @Test
    void threeDWeightsRejectWrongRanksAndImages() throws IOException {
        InputRejectedException flat = assertThrows(InputRejectedException.class, () -> decode(CONV3D, "p.npy", npy(5, 6)));
        assertTrue(flat.getMessage().contains("rank 2") && flat.getMessage().contains("(D,H,W), (C,D,H,W) or (N,C,D,H,W)"), flat.getMessage());
        assertThrows(InputRejectedException.class, () -> decode(CONV3D, "p.npy", npy(1, 1, 1, 3, 4, 5)));

        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        InputRejectedException image = assertThrows(InputRejectedException.class, () -> decode(CONV3D, "a.png", png.toByteArray()));
        assertTrue(image.getMessage().contains("needs 2-D weights") && image.getMessage().contains("3-D"), image.getMessage());
        // the same picture is fine for 2-D weights
        assertArrayEquals(new int[] {2, 8, 8}, decode(CONV2D, "a.png", png.toByteArray()).getOutShape());
    }

    @Test
    void channelsOfAVolumeMustMatchTheWeights() {
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> decode(CONV3D, "v.npy", npy(2, 3, 4, 5)));
        assertTrue(e.getMessage().toLowerCase().contains("channel"), e.getMessage());
    }

    @Test
    void twoDWeightsRejectAVolumeBatchOfRankSix() {
        assertThrows(InputRejectedException.class, () -> decode(CONV2D, "v.npy", npy(1, 1, 1, 3, 4, 5)));
    }
}
