package org.tconv.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * {@code bench --plot}: GFLOP/s end to end per workload, one bar per method (and the baseline's), on a
 * log axis because the methods differ by orders of magnitude.
 */
public final class BenchPlot {
    private BenchPlot() {}

    /** Bar labels with three significant digits ("11.6", "0.496", "1.07e-05"), whatever the magnitude. */
    private static final java.text.NumberFormat THREE_DIGITS = new java.text.NumberFormat() {
        @Override
        public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(String.format(java.util.Locale.ROOT, "%.3g", v));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(v);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException();
        }
    };

    public static void write(Path png, List<BenchResult> results, List<BenchReport.BaselineRow> baseline, String machine) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (BenchReport.BaselineRow b : baseline) {
            boolean shown = results.stream().anyMatch(r -> r.workload.id.equalsIgnoreCase(b.workload) && r.dtype.toString().equalsIgnoreCase(b.dtype));
            if (shown && b.gflops > 0) data.addValue(b.gflops, b.method + " " + b.dtype, b.workload);
        }
        for (BenchResult r : results) {
            data.addValue(r.gflops(), r.method + " " + r.dtype, r.workload.id);
        }
        JFreeChart chart = ChartFactory.createBarChart("tconv bench: GFLOP/s end to end (" + machine + ")",
                "workload", "GFLOP/s (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        // The range follows the data (W5's latency-bound bars are 1e-5 GFLOP/s, W1's tens): a fixed floor
        // left them blank. Ticks print as plain numbers, not as 10^-4.290955E0.
        double min = Double.MAX_VALUE, max = 0;
        for (Object row : data.getRowKeys()) {
            for (Object col : data.getColumnKeys()) {
                Number v = data.getValue((Comparable<?>) row, (Comparable<?>) col);
                if (v != null && v.doubleValue() > 0) {
                    min = Math.min(min, v.doubleValue());
                    max = Math.max(max, v.doubleValue());
                }
            }
        }
        LogAxis axis = new LogAxis("GFLOP/s (log scale)");
        axis.setBase(10);
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0)); // one tick per decade (log space)
        axis.setNumberFormatOverride(new DecimalFormat("0.##########"));
        if (max > 0) {
            axis.setSmallestValue(min / 4);
            axis.setRange(min / 4, max * 4);
        }
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.02);
        // Each bar says its value: a log axis alone is hard to read off.
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", THREE_DIGITS));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
    }
}
