/**
 * Singular values of T: ARPACK on the Gram matrix with deflation for repeated values, the Gram products as
 * Spark tasks, and the FFT formula for circular convolutions.
 */
package org.tconv.spectrum;
