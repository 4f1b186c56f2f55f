/**
 * Writing results users read (npy, Parquet, PNG, WebDataset shards) through Hadoop's commit protocol, the
 * output names, and the output folder's safety rules: tconv never deletes or overwrites what it cannot prove
 * it wrote.
 */
package org.tconv.write;
