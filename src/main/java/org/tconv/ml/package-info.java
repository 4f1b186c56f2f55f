/**
 * The convolution as a Spark ML Transformer over image, binary, array and vector columns, with typed,
 * validated params and the same product as tconv run.
 */
package org.tconv.ml;
