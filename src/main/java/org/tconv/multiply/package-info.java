/**
 * Multiplying by T: the toeplitz method's line and panel products on the Vector API, the blockmatrix method
 * on MLlib, the direct method, and the Gram product over ranges of output lines.
 */
package org.tconv.multiply;
