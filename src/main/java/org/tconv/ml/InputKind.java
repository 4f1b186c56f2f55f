package org.tconv.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The column types {@link ToeplitzConvolution} reads, told apart by the column's Spark type. */
enum InputKind {
    /** Spark's image struct, {@code spark.read.format("image")}. */
    IMAGE("Spark's image struct"),
    /** Encoded PNG, JPEG, BMP, GIF or {@code .npy} bytes ({@code binaryFile}'s content, a Parquet image table). */
    BINARY("binary (encoded images)"),
    /** One item's values in C order, its shape in the shape column. */
    ARRAY("array<double>"),
    /** {@link #ARRAY} as an ML Vector. */
    VECTOR("ML Vector");

    final String description;

    InputKind(String description) {
        this.description = description;
    }

    /** True for the kinds whose values say nothing of their shape. */
    boolean needsShape() {
        return this == ARRAY || this == VECTOR;
    }

    /** @throws IllegalArgumentException naming the column, its type and the types accepted */
    static InputKind of(String column, DataType t) {
        if (SparkImages.isImageStruct(t)) return IMAGE;
        if (t.equals(DataTypes.BinaryType)) return BINARY;
        if (t instanceof ArrayType && ((ArrayType) t).elementType().equals(DataTypes.DoubleType)) return ARRAY;
        if (t.equals(SQLDataTypes.VectorType())) return VECTOR;
        throw new IllegalArgumentException("input column " + column + " is " + t.simpleString() + "; ToeplitzConvolution takes "
                + IMAGE.description + ", " + BINARY.description + ", " + ARRAY.description + " or an " + VECTOR.description
                + " (the last two with a shape column)");
    }
}
