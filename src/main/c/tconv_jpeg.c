/*
 * libjpeg-turbo for org.tconv.read.NativeJpeg: a JPEG's header, then its pixels as float64 planes
 * (C, H, W), decoded the way PIL decodes (libjpeg's defaults: ISLOW DCT, fancy upsampling; out_color_space
 * GRAYSCALE for 1 component, RGB for 3), so the samples are PIL's.
 *
 * Errors never leave the process: error_exit longjmps back here (libjpeg's default calls exit()), and the
 * message goes back to Java as an exception after the critical arrays are released. Warnings are counted,
 * and "premature end of data" (the source ran dry, libjpeg inserted an EOI) is reported as truncation.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct tconv_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int eof;                       /* the data ended before the EOI marker */
    char message[JMSG_LENGTH_MAX]; /* the fatal error's text */
};

static void on_error(j_common_ptr cinfo) {
    struct tconv_error *e = (struct tconv_error *) cinfo->err;
    if (e->eof) {
        /* the data ran out first (libjpeg then reads the EOI it inserted as garbage): as PIL, truncated */
        snprintf(e->message, sizeof e->message, "truncated JPEG (no end-of-image marker)");
    } else {
        (*cinfo->err->format_message)(cinfo, e->message);
    }
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    struct tconv_error *e = (struct tconv_error *) cinfo->err;
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) e->eof = 1;
    if (level < 0) cinfo->err->num_warnings++;
}

static void throw_iae(JNIEnv *env, const char *message) {
    jclass c = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (c != NULL) (*env)->ThrowNew(env, c, message);
}

/* shape[0..3] = width, height, components, jpeg_color_space; returns 0, or -1 with e->message set. */
static int read_header(struct jpeg_decompress_struct *cinfo, struct tconv_error *e, const unsigned char *in, jsize n) {
    memset(cinfo, 0, sizeof *cinfo); /* so jpeg_destroy_decompress is safe whenever an error jumps */
    cinfo->err = jpeg_std_error(&e->pub);
    e->pub.error_exit = on_error;
    e->pub.emit_message = on_message;
    e->eof = 0;
    e->message[0] = 0;
    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, in, (unsigned long) n);
    jpeg_read_header(cinfo, TRUE);
    return 0;
}

JNIEXPORT jintArray JNICALL Java_org_tconv_read_NativeJpeg_header(JNIEnv *env, jclass cls, jbyteArray input) {
    struct jpeg_decompress_struct cinfo;
    struct tconv_error e;
    jsize n = (*env)->GetArrayLength(env, input);
    unsigned char *in = (*env)->GetPrimitiveArrayCritical(env, input, NULL);
    if (in == NULL) return NULL;
    jint shape[4];
    int failed = 0;
    if (setjmp(e.jump)) {
        failed = 1;
    } else {
        read_header(&cinfo, &e, in, n);
        if (e.eof) {
            failed = 1;
            snprintf(e.message, sizeof e.message, "truncated JPEG (no end-of-image marker)");
        }
        shape[0] = (jint) cinfo.image_width;
        shape[1] = (jint) cinfo.image_height;
        shape[2] = cinfo.num_components;
        shape[3] = cinfo.jpeg_color_space;
    }
    jpeg_destroy_decompress(&cinfo);
    (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
    if (failed) {
        throw_iae(env, e.message);
        return NULL;
    }
    jintArray out = (*env)->NewIntArray(env, 4);
    if (out != NULL) (*env)->SetIntArrayRegion(env, out, 0, 4, shape);
    return out;
}

/*
 * Decodes into out, C*H*W float64 values as planes, for the width, height and components header() gave
 * (checked again here: the Java side sized out by them). Throws IllegalArgumentException with libjpeg's
 * message, or "truncated JPEG (no end-of-image marker)".
 */
JNIEXPORT void JNICALL Java_org_tconv_read_NativeJpeg_decode(JNIEnv *env, jclass cls, jbyteArray input,
        jint width, jint height, jint channels, jdoubleArray output) {
    struct jpeg_decompress_struct cinfo;
    struct tconv_error e;
    jsize n = (*env)->GetArrayLength(env, input);
    jsize outLength = (*env)->GetArrayLength(env, output);
    if ((long long) width * height * channels != outLength || (channels != 1 && channels != 3)) {
        throw_iae(env, "output array does not match the image");
        return;
    }
    /* one scanline of interleaved samples, outside the critical region's heap */
    JSAMPLE *row = malloc((size_t) width * channels);
    if (row == NULL) {
        throw_iae(env, "out of native memory for one scanline");
        return;
    }
    unsigned char *in = (*env)->GetPrimitiveArrayCritical(env, input, NULL);
    if (in == NULL) { free(row); return; }
    double *out = (*env)->GetPrimitiveArrayCritical(env, output, NULL);
    if (out == NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
        free(row);
        return;
    }
    int failed = 0;
    if (setjmp(e.jump)) {
        failed = 1;
    } else {
        read_header(&cinfo, &e, in, n);
        if ((jint) cinfo.image_width != width || (jint) cinfo.image_height != height || cinfo.num_components != channels) {
            failed = 1;
            snprintf(e.message, sizeof e.message, "JPEG header changed between reads");
        } else {
            cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
            jpeg_start_decompress(&cinfo);
            size_t plane = (size_t) width * height;
            JSAMPROW rows[1] = {row};
            while (cinfo.output_scanline < cinfo.output_height) {
                size_t y = cinfo.output_scanline;
                jpeg_read_scanlines(&cinfo, rows, 1);
                double *dst = out + y * width;
                if (channels == 1) {
                    for (jint x = 0; x < width; x++) dst[x] = row[x];
                } else {
                    double *r = dst, *g = dst + plane, *b = dst + 2 * plane;
                    const JSAMPLE *s = row;
                    for (jint x = 0; x < width; x++, s += 3) {
                        r[x] = s[0];
                        g[x] = s[1];
                        b[x] = s[2];
                    }
                }
            }
            jpeg_finish_decompress(&cinfo);
            if (e.eof) {
                failed = 1;
                snprintf(e.message, sizeof e.message, "truncated JPEG (no end-of-image marker)");
            }
        }
    }
    jpeg_destroy_decompress(&cinfo);
    (*env)->ReleasePrimitiveArrayCritical(env, output, out, failed ? JNI_ABORT : 0);
    (*env)->ReleasePrimitiveArrayCritical(env, input, in, JNI_ABORT);
    free(row);
    if (failed) throw_iae(env, e.message);
}

/* the libjpeg the library was built against and runs with, for the log line */
JNIEXPORT jint JNICALL Java_org_tconv_read_NativeJpeg_libjpegVersion(JNIEnv *env, jclass cls) {
    return JPEG_LIB_VERSION;
}
