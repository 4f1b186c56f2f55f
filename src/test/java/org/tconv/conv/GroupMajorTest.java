package org.tconv.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class GroupMajorTest {
    /** The class comment's example: 5 items of 2 values in groups of 2 is [a0 b0 a1 b1 | c0 d0 c1 d1 | e0 e1]. */
    @Test
    void theDocExample() {
        // a = 10, 11; b = 20, 21; c = 30, 31; d = 40, 41; e = 50, 51
        double[] layout = {10, 20, 11, 21, 30, 40, 31, 41, 50, 51};
        double[][] items = new double[5][2];
        GroupMajor.copyItems(layout, 5, 2, 2, 0, items, 0);
        assertArrayEquals(new double[][] {{10, 11}, {20, 21}, {30, 31}, {40, 41}, {50, 51}}, items);
        assertEquals(7, GroupMajor.offset(5, 2, 2, 3, 1), "d1");
        assertEquals(9, GroupMajor.offset(5, 2, 2, 4, 1), "e1");
        // 9 items in groups of 4: the one left over joins the second group
        assertEquals(List.of(0, 0, 4, 4, 4), List.of(GroupMajor.start(9, 4, 0), GroupMajor.start(9, 4, 3), GroupMajor.start(9, 4, 4),
                GroupMajor.start(9, 4, 7), GroupMajor.start(9, 4, 8)));
        assertEquals(5, GroupMajor.width(9, 4, 4));
        assertEquals(2, GroupMajor.width(10, 4, 8), "two left over are more than a quarter: a group of their own");
    }

    /**
     * Random counts, groups and sizes: the layout built value by value from its definition (group by group,
     * output index by output index, items innermost) reads back as every item in order, from any first
     * item, across group boundaries, in float64 and float32.
     */
    @Test
    void everyItemReadsBackFromAnyStart() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int count = 1 + rnd.nextInt(40), group = 1 + rnd.nextInt(12), size = 1 + rnd.nextInt(9);
            double[] layout = new double[count * size];
            float[] layoutF = new float[count * size];
            int at = 0;
            int rest = count % group, whole = count / group;
            boolean merged = whole > 0 && rest > 0 && rest <= group / 4; // the rest joins the last whole group
            for (int g0 = 0; g0 < count; g0 += group) {
                int w = Math.min(group, count - g0);
                if (merged && g0 == (whole - 1) * group) w = group + rest;
                for (int r = 0; r < size; r++) {
                    for (int j = 0; j < w; j++) {
                        layout[at] = value(g0 + j, r);
                        layoutF[at++] = (float) value(g0 + j, r);
                    }
                }
                if (w > group) break;
            }
            int first = rnd.nextInt(count), n = 1 + rnd.nextInt(count - first);
            double[][] items = new double[n][size + 1];
            float[][] itemsF = new float[n][size + 1];
            GroupMajor.copyItems(layout, count, group, size, first, items, 1);
            GroupMajor.copyItems(layoutF, count, group, size, first, itemsF, 1);
            for (int k = 0; k < n; k++) {
                for (int r = 0; r < size; r++) {
                    assertEquals(value(first + k, r), items[k][1 + r], 0.0);
                    assertEquals((float) value(first + k, r), itemsF[k][1 + r], 0.0f);
                    assertEquals(value(first + k, r), layout[GroupMajor.offset(count, group, size, first + k, r)], 0.0);
                }
            }
        }
    }

    private static double value(int item, int r) {
        return item * 1000 + r;
    }
}
