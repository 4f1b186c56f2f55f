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
    /** Where the job's time went (the bench's split); null until the job has finished. */
    public final JobStages.Times stages;

    JobResult(String output, long filesWritten, long itemsConvolved, Map<String, String> rejected,
              Verification verification, double seconds) {
        this(output, filesWritten, itemsConvolved, rejected, verification, seconds, null);
    }

    private JobResult(String output, long filesWritten, long itemsConvolved, Map<String, String> rejected,
                      Verification verification, double seconds, JobStages.Times stages) {
        this.output = output;
        this.filesWritten = filesWritten;
        this.itemsConvolved = itemsConvolved;
        this.rejected = rejected;
        this.verification = verification;
        this.seconds = seconds;
        this.stages = stages;
    }

    /** The same result, timed to the end of the commit, with its stages' timers. */
    JobResult finishedIn(double totalSeconds, JobStages.Times stages) {
        return new JobResult(output, filesWritten, itemsConvolved, rejected, verification, totalSeconds, stages);
    }

    /** 0 all went through; 2 something was rejected; 3 verification failed. */
    public int exitStatus() {
        if (verification != null && !verification.passed()) return 3;
        return rejected.isEmpty() ? 0 : 2;
    }
}
