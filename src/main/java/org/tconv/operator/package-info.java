/**
 * T as a linear map: y = T x and x = T^T y behind one interface, whatever computes them (direct loops, the
 * explicit CSR, the distinct blocks), and the Gram map that eigensolvers take.
 */
package org.tconv.operator;
