/**
 * The command line: picocli commands (run, demo, toeplitz, spectrum, explain, bench), their options and the
 * checks made before Spark starts (exit 1, one line).
 */
package org.tconv.cli;
