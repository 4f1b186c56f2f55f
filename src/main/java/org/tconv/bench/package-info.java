/**
 * The standard workloads (W1-W9) and the bench that times them: the product alone, file to file, start-up
 * latency, with the peers' CSVs beside the results. Measurements, never tests.
 */
package org.tconv.bench;
