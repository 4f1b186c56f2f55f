package org.tconv.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * {@code bench --plot}: GFLOP/s end to end per workload, one bar per method (and the baseline's), on a
 * log axis because the methods differ by orders of magnitude.
 */
public final class BenchPlot {
    private BenchPlot() {}

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
        LogAxis axis = new LogAxis("GFLOP/s (log scale)");
        axis.setSmallestValue(1e-4);
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.02);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
    }
}
