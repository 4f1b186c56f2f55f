package org.tconv.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress line's figures for a known sequence of events and times. */
class ProgressLineTest {
    private static final long S = 1_000_000_000L;

    @Test
    void tasksImagesRateAndTimeLeftAtTheRateSoFar() {
        ProgressLine p = new ProgressLine(10 * S);
        assertEquals("tconv: 0/0 task(s), 0 image(s), 1 s", p.line(11 * S));
        p.stageSubmitted(8);
        p.taskEnded(150);
        p.taskEnded(150);
        // 2 of 8 tasks in 4 s: 6 left at 2 s each; 300 images in 4 s
        assertEquals("tconv: 2/8 task(s), 300 image(s), 75.0 images/s, ETA 12 s, 4 s", p.line(14 * S));
        p.stageSubmitted(2); // a second stage (the verification's, the writer's) adds its tasks
        for (int i = 0; i < 8; i++) p.taskEnded(0);
        assertEquals("tconv: 10/10 task(s), 300 image(s), 30.0 images/s, 10 s", p.line(20 * S), "no ETA when all are done");
        p.listed(301);
        assertEquals("tconv: 301 input(s) listed, 10/10 task(s), 300 image(s), 30.0 images/s, 10 s", p.line(20 * S));
    }
}
