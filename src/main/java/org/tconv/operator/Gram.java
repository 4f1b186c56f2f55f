package org.tconv.operator;

/**
 * v -> A^T A v for a linear map A: all an eigensolver needs for A's singular values (the square roots of
 * the Gram matrix's eigenvalues). The Gram matrix itself is never formed.
 */
public interface Gram {
    /** The Gram matrix's side: A's columns. */
    int dimension();

    /** {@code out} = A^T A v; both have {@link #dimension()} values, {@code out} is overwritten. */
    void apply(double[] v, double[] out);

    /**
     * The smaller Gram matrix of T: T^T T when T has no more columns than rows, else T T^T (the same non-zero
     * eigenvalues, on the shorter vectors). Each product is one T and one T^T product.
     */
    static Gram of(LinearMap t) {
        boolean columns = t.cols() <= t.rows();
        double[] middle = new double[columns ? t.rows() : t.cols()];
        return new Gram() {
            @Override public int dimension() { return columns ? t.cols() : t.rows(); }

            @Override
            public void apply(double[] v, double[] out) {
                if (columns) {
                    t.apply(v, middle);
                    t.applyAdjoint(middle, out);
                } else {
                    t.applyAdjoint(v, middle);
                    t.apply(middle, out);
                }
            }
        };
    }
}
