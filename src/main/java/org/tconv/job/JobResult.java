package org.tconv.job;

import java.util.Map;


/** What a run did: counts for the summary line, the rejected inputs, and the verification if asked. */
public final class JobResult {
    public final String output;
    public final long filesWritten;
    public final long itemsConvolved;
    public final Map<String, String> rejected;
    public final Verification verification;
    public final double seconds;

    JobResult(String output, long filesWritten, long itemsConvolved, Map<String, String> rejected,
              Verification verification, double seconds) {
        this.output = output;
        this.filesWritten = filesWritten;
        this.itemsConvolved = itemsConvolved;
        this.rejected = rejected;
        this.verification = verification;
        this.seconds = seconds;
    }

    /** The same result, timed to the end of the commit. */
    JobResult finishedIn(double totalSeconds) {
        return new JobResult(output, filesWritten, itemsConvolved, rejected, verification, totalSeconds);
    }

    /** 0 all went through; 2 something was rejected; 3 verification failed. */
    public int exitStatus() {
        if (verification != null && !verification.passed()) return 3;
        return rejected.isEmpty() ? 0 : 2;
    }
}
