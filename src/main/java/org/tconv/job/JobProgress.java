package org.tconv.job;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import scala.collection.Iterator;

/**
 * tconv's progress line, redrawn in place once a second while a run's jobs go: Spark's events counted by
 * {@link ProgressLine}. It writes to the terminal itself ({@code /dev/tty}), not to stderr: the launcher
 * filters stderr line by line, and a line redrawn with carriage returns would only come out at its end.
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
    private final ProgressLine line = new ProgressLine(System.nanoTime());
    private final PrintStream tty;
    private final SparkContext sc;
    private final ScheduledExecutorService redraw;

    private JobProgress(SparkContext sc, PrintStream tty) {
        this.sc = sc;
        this.tty = tty;
        this.redraw = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tconv-progress");
            t.setDaemon(true);
            return t;
        });
        redraw.scheduleAtFixedRate(() -> draw('\r'), 1, 1, TimeUnit.SECONDS);
        sc.addSparkListener(this);
    }

    /** Progress on the terminal, or null when there is none to write to (then nothing is shown). */
    public static JobProgress start(SparkContext sc) {
        try {
            return new JobProgress(sc, new PrintStream(new java.io.FileOutputStream("/dev/tty"), true, "UTF-8"));
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Local property under which {@link ConvolutionJob} tells its Spark jobs how many inputs it listed. */
    public static final String LISTED = "tconv.inputs.listed";

    @Override
    public void onJobStart(SparkListenerJobStart e) {
        String n = e.properties() == null ? null : e.properties().getProperty(LISTED);
        if (n != null) line.listed(Long.parseLong(n));
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
        line.stageSubmitted(e.stageInfo().numTasks());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        long images = 0;
        Iterator<AccumulableInfo> it = e.taskInfo().accumulables().iterator();
        while (it.hasNext()) {
            AccumulableInfo a = it.next();
            if (a.name().isDefined() && a.name().get().equals("items") && a.update().isDefined()) images += ((Number) a.update().get()).longValue();
        }
        line.taskEnded(images);
    }

    private synchronized void draw(char start) {
        tty.print(start + line.line(System.nanoTime()) + "\u001b[K");
        tty.flush();
    }

    /** Stops redrawing and clears the line: the run's summary follows on stdout. */
    @Override
    public synchronized void close() {
        redraw.shutdownNow();
        sc.removeSparkListener(this);
        tty.print("\r\u001b[K");
        tty.flush();
        tty.close();
    }
}
