/**
 * Building T: the block-Toeplitz matrix of a convolution held as its distinct blocks (the one place that
 * knows where a tap lands), its explicit forms (CSR, CoordinateMatrix, BlockMatrix, MatrixMarket) and the
 * memory checks made before any of them is built.
 */
package org.tconv.toeplitz;
