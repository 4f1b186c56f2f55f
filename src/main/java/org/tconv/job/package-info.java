/**
 * One run of tconv: read, build T, multiply, write, verify, as Spark jobs, with the session's settings, the
 * progress line and the result a command reports.
 */
package org.tconv.job;
