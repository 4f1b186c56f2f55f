/**
 * Reading what users have: listing inputs (files, globs, WebDataset shards, Parquet image tables), decoding
 * them within the admission budget (PNG, JPEG, BMP, GIF, .npy), and the weights (.npy, safetensors). Nothing
 * a file claims about its own size is trusted before a budget check.
 */
package org.tconv.read;
