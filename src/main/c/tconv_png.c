/*
 * libpng for org.tconv.read.NativePng: the IHDR, then the pixels of an 8-bit, non-interlaced gray, gray+alpha,
 * RGB or RGBA PNG as float64 planes (C, H, W), C = 1 for gray, 3 for colour, alpha dropped: the samples as
 * stored, as PIL hands them over (no gamma, no colour management). Every other kind of PNG stays with ImageIO.
 *
 * As ImageIO does, chunk CRCs are not checked (PNG_CRC_QUIET_USE); zlib's own check still is. The rows are
 * read and nothing after them, so a PNG that only lacks IEND decodes, as it does in PIL. libpng's errors
 * longjmp back here and reach Java as an IllegalArgumentException; they never end the process.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

struct source {
    const unsigned char *data;
    size_t length, at;
    char message[256];
};

static void on_error(png_structp png, png_const_charp msg) {
    struct source *s = png_get_error_ptr(png);
    snprintf(s->message, sizeof s->message, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { /* as ImageIO and PIL: warnings are not errors */ }

static void on_read(png_structp png, png_bytep out, png_size_t n) {
    struct source *s = png_get_io_ptr(png);
    if (n > s->length - s->at) png_error(png, "Unexpected end of PNG data");
    memcpy(out, s->data + s->at, n);
    s->at += n;
}

static void throw_iae(JNIEnv *env, const char *message) {
    jclass c = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (c != NULL) (*env)->ThrowNew(env, c, message);
}

static png_structp open_png(struct source *s) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s, on_error, on_warning);
    if (png == NULL) return NULL;
    png_set_read_fn(png, s, on_read);
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    /* tconv's admission budget, not libpng's 1,000,000-pixel side limit, decides what is too large */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    return png;
}

/* width, height, bit depth, colour type, interlace method */
JNIEXPORT jintArray JNICALL Java_org_tconv_read_NativePng_header(JNIEnv *env, jclass cls, jbyteArray input) {
    struct source s = {0};
    s.length = (size_t) (*env)->GetArrayLength(env, input);
    unsigned char *in = (*env)->GetPrimitiveArrayCritical(env, input, NULL);
    if (in == NULL) return NULL;
    s.data = in;
    jint h[5] = {0};
    int failed = 0;
    png_structp png = open_png(&s);
    png_infop info = png == NULL ? NULL : png_create_info_struct(png);
    if (info == NULL) {
        failed = 1;
        snprintf(s.message, sizeof s.message, "out of native memory");
    } else if (setjmp(png_jmpbuf(png))) {
        failed = 1;
    } else {
        png_read_info(png, info);
        h[0] = (jint) png_get_image_width(png, info);
        h[1] = (jint) png_get_image_height(png, info);
        h[2] = png_get_bit_depth(png, info);
        h[3] = png_get_color_type(png, info);
        h[4] = png_get_interlace_type(png, info);
    }
    if (png != NULL) png_destroy_read_struct(&png, info == NULL ? NULL : &info, NULL);
    (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
    if (failed) {
        throw_iae(env, s.message);
        return NULL;
    }
    jintArray out = (*env)->NewIntArray(env, 5);
    if (out != NULL) (*env)->SetIntArrayRegion(env, out, 0, 5, h);
    return out;
}

JNIEXPORT void JNICALL Java_org_tconv_read_NativePng_decode(JNIEnv *env, jclass cls, jbyteArray input,
        jint width, jint height, jint channels, jdoubleArray output) {
    if ((long long) width * height * channels != (*env)->GetArrayLength(env, output) || (channels != 1 && channels != 3)) {
        throw_iae(env, "output array does not match the image");
        return;
    }
    unsigned char *row = malloc((size_t) width * 4);
    if (row == NULL) {
        throw_iae(env, "out of native memory for one row");
        return;
    }
    struct source s = {0};
    s.length = (size_t) (*env)->GetArrayLength(env, input);
    unsigned char *in = (*env)->GetPrimitiveArrayCritical(env, input, NULL);
    if (in == NULL) { free(row); return; }
    double *out = (*env)->GetPrimitiveArrayCritical(env, output, NULL);
    if (out == NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
        free(row);
        return;
    }
    s.data = in;
    int failed = 0;
    png_structp png = open_png(&s);
    png_infop info = png == NULL ? NULL : png_create_info_struct(png);
    if (info == NULL) {
        failed = 1;
        snprintf(s.message, sizeof s.message, "out of native memory");
    } else if (setjmp(png_jmpbuf(png))) {
        failed = 1;
    } else {
        png_read_info(png, info);
        int type = png_get_color_type(png, info);
        int stride = type == PNG_COLOR_TYPE_GRAY ? 1 : type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : type == PNG_COLOR_TYPE_RGB ? 3 : 4;
        if ((jint) png_get_image_width(png, info) != width || (jint) png_get_image_height(png, info) != height
                || png_get_bit_depth(png, info) != 8 || png_get_interlace_type(png, info) != PNG_INTERLACE_NONE
                || (type & PNG_COLOR_MASK_PALETTE) || (channels == 1) != (stride <= 2)) {
            failed = 1;
            snprintf(s.message, sizeof s.message, "PNG header changed between reads");
        } else {
            size_t plane = (size_t) width * height;
            for (jint y = 0; y < height; y++) {
                png_read_row(png, row, NULL);
                double *dst = out + (size_t) y * width;
                const unsigned char *p = row;
                if (channels == 1) {
                    for (jint x = 0; x < width; x++, p += stride) dst[x] = p[0];
                } else {
                    double *r = dst, *g = dst + plane, *b = dst + 2 * plane;
                    for (jint x = 0; x < width; x++, p += stride) {
                        r[x] = p[0];
                        g[x] = p[1];
                        b[x] = p[2];
                    }
                }
            }
        }
    }
    if (png != NULL) png_destroy_read_struct(&png, info == NULL ? NULL : &info, NULL);
    (*env)->ReleasePrimitiveArrayCritical(env, output, out, failed ? JNI_ABORT : 0);
    (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
    free(row);
    if (failed) throw_iae(env, s.message);
}
