/**
 * The reference: a direct convolution loop (gather for T x, scatter for the transposed map) sharing nothing
 * with the Toeplitz path but the shape arithmetic, as a linear map and as a Spark SQL UDF.
 */
package org.tconv.verify;
