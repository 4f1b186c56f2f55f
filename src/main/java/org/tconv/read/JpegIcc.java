package org.tconv.read;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes embedded ICC profiles ({@code APP2 "ICC_PROFILE\0"} segments) from a JPEG's header.
 *
 * <p>Given a profile, ImageIO's JPEG reader converts the pixels from it to sRGB (a colour-managed
 * decode; an Adobe RGB or Display P3 photo changes by tens of levels), while PIL, and so PyTorch
 * pipelines, hand over the stored samples. Without the segment ImageIO does no conversion. Nothing
 * else in the file changes: {@code FFD8 FFE0(JFIF) FFE2(ICC) FFDB ... FFDA ...} becomes
 * {@code FFD8 FFE0(JFIF) FFDB ... FFDA ...}. Anything that does not parse as JPEG segments is returned
 * unchanged for the decoder to judge.
 */
final class JpegIcc {
    private static final byte[] ICC = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);

    private JpegIcc() {}

    static byte[] strip(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) return b;
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, 2);
        boolean stripped = false;
        int i = 2;
        while (i + 1 < b.length) {
            if ((b[i] & 0xff) != 0xFF) return b;
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) { // fill byte before a marker
                out.write(0xFF);
                i++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) break; // scan data from here on: profiles come before it
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // markers without a length
                out.write(b, i, 2);
                i += 2;
                continue;
            }
            if (i + 3 >= b.length) return b;
            int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            if (len < 2 || i + 2 + len > b.length) return b;
            if (marker == 0xE2 && len >= 2 + ICC.length && startsWith(b, i + 4, ICC)) {
                stripped = true;
            } else {
                out.write(b, i, 2 + len);
            }
            i += 2 + len;
        }
        if (!stripped) return b;
        out.write(b, i, b.length - i);
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        for (int k = 0; k < prefix.length; k++) {
            if (b[at + k] != prefix[k]) return false;
        }
        return true;
    }
}
