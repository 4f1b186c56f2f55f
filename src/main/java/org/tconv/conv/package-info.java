/**
 * Shape arithmetic of a convolution, exactly as PyTorch's: the spec (weights, stride, padding, dilation,
 * groups, padding mode, transposed), the geometry of one input shape, the one (channel, depth, row, col)
 * numbering, and the group-major layout of batched results. Every size is computed exactly (long) before
 * anything is allocated.
 */
package org.tconv.conv;
