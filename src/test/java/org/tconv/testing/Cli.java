package org.tconv.testing;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.tconv.cli.Main;

/** Runs the CLI in-process, as a user would type it, and keeps what it printed and its exit status. */
public final class Cli {
    public final int status;
    public final String out;
    public final String err;

    private Cli(int status, String out, String err) {
        this.status = status;
        this.out = out;
        this.err = err;
    }

    public static Cli run(String... args) {
        SharedSpark.get(); // the CLI's getOrCreate then reuses the test session
        StringWriter o = new StringWriter(), e = new StringWriter();
        int status = Main.execute(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Cli(status, o.toString(), e.toString());
    }

    @Override
    public String toString() {
        return "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
