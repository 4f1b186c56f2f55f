package org.tconv.operator;

import java.util.Locale;

/**
 * {@code --dtype}: the precision the toeplitz product computes in. Inputs are decoded as float64;
 * {@code f32} rounds T and each panel of images to float32, which halves the memory traffic and doubles the
 * lanes per vector, at about 1e-7 relative error, and its results stay float32 where the output allows.
 */
public enum Dtype {
    F64, F32;

    public static Dtype parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "f64": case "float64": case "double": return F64;
            case "f32": case "float32": case "float": return F32;
            default: throw new IllegalArgumentException("unknown dtype '" + s + "' (expected f64 or f32)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
