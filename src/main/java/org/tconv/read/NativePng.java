package org.tconv.read;

/**
 * PNG through libpng (the JNI library {@link NativeLibrary#PNG}; its C is {@code src/main/c/tconv_png.c}) for the
 * kinds photos come as: 8-bit, non-interlaced gray, gray+alpha, RGB and RGBA, read as stored (alpha dropped),
 * which is what PIL gives for them. Palette, 1/2/4/16-bit and interlaced PNGs stay with ImageIO, which
 * {@link ImageDecoder} already makes PIL-exact for them.
 *
 * <p>As for JPEG, {@link #readHeader} reads up to IDAT without allocating pixels, the caller checks the budget,
 * and {@link #decodePlanes} fills the planes; libpng's errors return to Java as IllegalArgumentException.
 */
final class NativePng {
    private NativePng() {}

    /** IHDR's fields. */
    record Header(int width, int height, int bitDepth, int colorType, int interlace) {
        /** Whether libpng reads this kind here: 8-bit gray (0), RGB (2), gray+alpha (4), RGBA (6), not interlaced. */
        boolean handled() {
            return bitDepth == 8 && interlace == 0 && (colorType == 0 || colorType == 2 || colorType == 4 || colorType == 6);
        }

        /** 1 for gray, 3 for colour. */
        int channels() {
            return colorType == 0 || colorType == 4 ? 1 : 3;
        }
    }

    static boolean available() {
        return NativeLibrary.PNG.loaded();
    }

    static Header readHeader(byte[] png) {
        int[] h = header(png);
        return new Header(h[0], h[1], h[2], h[3], h[4]);
    }

    /** Planes (C, H, W) of 0..255 for a header that {@link Header#handled()}. */
    static double[] decodePlanes(byte[] png, Header h) {
        double[] planes = new double[h.channels() * h.width() * h.height()];
        decode(png, h.width(), h.height(), h.channels(), planes);
        return planes;
    }

    private static native int[] header(byte[] png);

    private static native void decode(byte[] png, int width, int height, int channels, double[] planes);
}
