package org.tconv.ml;

/** One row's input as tconv convolves it: the item's shape ((C, H, W), (C, L) or (C, D, H, W)) and its values in C order. */
final class Item {
    final int[] shape;
    final double[] values;

    Item(int[] shape, double[] values) {
        this.shape = shape;
        this.values = values;
    }
}
