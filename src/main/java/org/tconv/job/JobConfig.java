package org.tconv.job;

import org.tconv.conv.ConvSpec;
import org.tconv.multiply.Dtype;
import org.tconv.multiply.Method;
import org.tconv.write.OutputFormat;

/** What one {@code tconv run} does, fully validated before Spark starts. */
public final class JobConfig {
    public final String input;
    public final String output;
    public final ConvSpec spec;
    public final Method method;
    public final OutputFormat format;
    public final boolean verify;
    public final Dtype dtype;
    /** Replace a finished output (written beside it, swapped in on success). */
    public final boolean overwrite;

    public JobConfig(String input, String output, ConvSpec spec, Method method, OutputFormat format, boolean verify, Dtype dtype,
                     boolean overwrite) {
        this.input = input;
        this.output = output;
        this.spec = spec;
        this.method = method;
        this.format = format;
        this.verify = verify;
        this.dtype = dtype;
        this.overwrite = overwrite;
    }
}
