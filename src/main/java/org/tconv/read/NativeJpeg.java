package org.tconv.read;

/**
 * JPEG through libjpeg-turbo (the JNI library {@link NativeLibrary} loads; its C is
 * {@code src/main/c/tconv_jpeg.c}): the decoder PIL itself uses, with PIL's settings (ISLOW DCT, fancy
 * upsampling, YCbCr to RGB by libjpeg), so the pixels are PIL's exactly.
 *
 * <p>Two calls, so the admission budget sees the header before anything is allocated: {@link #header}
 * reads the markers up to the first scan (no pixel memory), the caller checks the size, allocates the
 * planes, and {@link #decode} fills them. Both throw {@code IllegalArgumentException} with libjpeg's own
 * message for corrupt data; libjpeg's errors return to Java (longjmp), never end the JVM.
 */
final class NativeJpeg {
    /** libjpeg's J_COLOR_SPACE values that {@link Header#colorSpace} may hold. */
    static final int JCS_CMYK = 4, JCS_YCCK = 5;

    private NativeJpeg() {}

    /** What the header says: the frame's size and components, and the colour space libjpeg infers. */
    record Header(int width, int height, int components, int colorSpace) {}

    static boolean available() {
        return NativeLibrary.JPEG.loaded();
    }

    static Header readHeader(byte[] jpeg) {
        int[] h = header(jpeg);
        return new Header(h[0], h[1], h[2], h[3]);
    }

    /** Planes (C, H, W) of 0..255, for a header with 1 or 3 components. */
    static double[] decodePlanes(byte[] jpeg, Header h) {
        double[] planes = new double[h.components() * h.width() * h.height()];
        decode(jpeg, h.width(), h.height(), h.components(), planes);
        return planes;
    }

    private static native int[] header(byte[] jpeg);

    private static native void decode(byte[] jpeg, int width, int height, int channels, double[] planes);

    static native int libjpegVersion();
}
