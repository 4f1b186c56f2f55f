package org.tconv.operator;

/**
 * The map of a convolution without its bias, y = T x, and its adjoint x = T^T y, on flat C-order arrays
 * (rows of T are output elements, columns input elements, as {@link org.tconv.conv.ConvGeometry} numbers
 * them). Eigensolvers, least-squares solvers and reports only need these two products, so any way of
 * computing them can stand behind this interface: {@link ConvOperator} (tconv's T), its explicit CSR
 * ({@link ConvOperator#toSparseMap()}), or the direct loops ({@code verify.DirectMap}) as a reference.
 */
public interface LinearMap {
    /** Rows of T: output elements. */
    int rows();

    /** Columns of T: input elements. */
    int cols();

    /** y = T x; {@code y} has {@link #rows()} values and is overwritten. */
    void apply(double[] x, double[] y);

    /** x = T^T y; {@code x} has {@link #cols()} values and is overwritten. */
    void applyAdjoint(double[] y, double[] x);
}
