/**
 * What a layer's matrix is, for a person: weight-sharing figures, measured translation equivariance, and the
 * pictures of T, as report.md, report.json and PNGs.
 */
package org.tconv.explain;
