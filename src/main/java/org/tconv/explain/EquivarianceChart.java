package org.tconv.explain;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

/** equivariance.png: for each measured shift, the largest difference in the interior and at the border, relative to the output's scale. */
final class EquivarianceChart {
    private EquivarianceChart() {}

    static BufferedImage draw(List<Equivariance.Shift> shifts, double outputScale) {
        double scale = outputScale > 0 ? outputScale : 1.0; // an all-zero kernel: plain differences
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Equivariance.Shift s : shifts) {
            String label = s.axis() + " +" + s.shift() + (s.multipleOfStride() ? "" : " (not a stride multiple)");
            // null, not 0, where a shift has no such position: report.md says n/a there
            data.addValue(s.interiorPositions() == 0 ? null : s.interiorMaxAbs() / scale, "interior (receptive field inside the input)", label);
            data.addValue(s.borderPositions() == 0 ? null : s.borderMaxAbs() / scale, "border (padding or wrap-around involved)", label);
        }
        JFreeChart chart = ChartFactory.createBarChart("Translation equivariance: conv(shift(x)) vs shift(conv(x))",
                "input shift (axis +pixels; the output is shifted by shift / stride)",
                "max |difference| / max |conv(x)|", data, PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
                "seeded random input (seed %d), rolled along one axis; 0 = exactly equivariant; no bar: 0, or n/a (no such position, see report.md)", Equivariance.SEED)));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setCategoryLabelPositions(shifts.size() > 8 ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, new Color(40, 110, 200));
        r.setSeriesPaint(1, new Color(230, 120, 30));
        chart.setBackgroundPaint(Color.WHITE);
        return chart.createBufferedImage(Math.max(900, 60 * shifts.size() + 200), 520);
    }
}
