package org.tconv.read;

/**
 * Where the first frame of a GIF sits, and the palette it uses, read straight from the file's blocks.
 *
 * <p>ImageIO gives frame 0 as its own rectangle with a palette padded to a power of two; PIL gives the
 * logical screen with the frame pasted at its offset, the rest filled with the transparent index (else
 * 0), and treats a frame whose palette is exactly {@code i -> (i, i, i)} (or that has none) as grayscale.
 * Both need the file's own numbers. Example: a 10x8 screen whose frame 0 is 4x4 at (2, 3) with a local
 * 16-colour table gives screen 10x8, frame (2, 3, 4, 4), palette of 48 bytes.
 */
final class GifFrame {
    final int screenWidth;
    final int screenHeight;
    final int left;
    final int top;
    final int width;
    final int height;
    /** The colour table in effect for frame 0 (local, else global) as r,g,b bytes; null if the file has none. */
    final byte[] palette;
    /** The transparent index from frame 0's graphic control extension, or -1. */
    final int transparent;

    private GifFrame(int sw, int sh, int left, int top, int w, int h, byte[] palette, int transparent) {
        this.screenWidth = sw;
        this.screenHeight = sh;
        this.left = left;
        this.top = top;
        this.width = w;
        this.height = h;
        this.palette = palette;
        this.transparent = transparent;
    }

    /** @return frame 0's placement, or null when the blocks before it do not parse (ImageIO then decides) */
    static GifFrame parse(byte[] b) {
        try {
            if (b.length < 13 || b[0] != 'G' || b[1] != 'I' || b[2] != 'F') return null;
            int sw = u16(b, 6), sh = u16(b, 8), flags = b[10] & 0xff;
            int i = 13;
            byte[] global = null;
            if ((flags & 0x80) != 0) {
                int n = 3 << ((flags & 7) + 1);
                global = java.util.Arrays.copyOfRange(b, i, i + n);
                i += n;
            }
            int transparent = -1;
            while (i < b.length) {
                int block = b[i++] & 0xff;
                if (block == 0x21) {
                    int label = b[i++] & 0xff;
                    if (label == 0xF9 && (b[i] & 0xff) >= 4) {
                        transparent = (b[i + 1] & 1) != 0 ? b[i + 4] & 0xff : -1;
                    }
                    for (int size = b[i++] & 0xff; size != 0; size = b[i++] & 0xff) i += size;
                } else if (block == 0x2C) {
                    int left = u16(b, i), top = u16(b, i + 2), w = u16(b, i + 4), h = u16(b, i + 6);
                    int f = b[i + 8] & 0xff;
                    byte[] palette = global;
                    if ((f & 0x80) != 0) {
                        int n = 3 << ((f & 7) + 1);
                        palette = java.util.Arrays.copyOfRange(b, i + 9, i + 9 + n);
                    }
                    return new GifFrame(sw, sh, left, top, w, h, palette, transparent);
                } else {
                    return null; // trailer before any image, or not a block at all
                }
            }
            return null;
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Width of what PIL shows: the logical screen, widened to hold the frame where it sticks out. */
    int canvasWidth() {
        return Math.max(screenWidth, left + width);
    }

    int canvasHeight() {
        return Math.max(screenHeight, top + height);
    }

    /** PIL's test (GifImageFile._is_palette_needed): a table of i -> (i, i, i) is no palette at all. */
    boolean grayscale() {
        if (palette == null) return true;
        for (int i = 0; i < palette.length; i++) {
            if ((palette[i] & 0xff) != i / 3) return false;
        }
        return true;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }
}
