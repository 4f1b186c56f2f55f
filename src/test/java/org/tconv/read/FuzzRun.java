package org.tconv.read;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.tconv.conv.InputRejectedException;
import org.tconv.testing.TestFiles;

/**
 * One fuzz run of one decoder: mutants of the seeds, each decoded on a worker thread with a timeout and
 * its allocation measured, until the input count or the time is used up. The random seed is fixed
 * ({@code tconv.fuzz.seed}, default 11), so a failure is reproduced by running again.
 */
final class FuzzRun {
    static final int TIMEOUT_SECONDS = 10;
    /** Beyond the budget, what a decoder may allocate for its own buffers: file copies, tables, streams. */
    static final long ALLOCATION_SLACK = 16L << 20;

    private FuzzRun() {}

    static final class Counts {
        long inputs, decoded, rejected;

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d inputs: %d decoded within the budget, %d rejected cleanly, 0 failures", inputs, decoded, rejected);
        }
    }

    static Counts run(String name, List<byte[]> seeds, Function<byte[], NpyArray> decoder, AdmissionBudget budget) {
        return run(name, seeds, decoder, budget, null);
    }

    static Counts run(String name, List<byte[]> seeds, Function<byte[], NpyArray> decoder, AdmissionBudget budget,
            BiFunction<byte[], Random, byte[]> extra) {
        return run(name, seeds, decoder, budget, Long.getLong("tconv.fuzz.inputs", 20_000), Long.getLong("tconv.fuzz.seconds", 3), extra);
    }

    static Counts run(String name, List<byte[]> seeds, Function<byte[], NpyArray> decoder, AdmissionBudget budget, long maxInputs, long seconds) {
        return run(name, seeds, decoder, budget, maxInputs, seconds, null);
    }

    /**
     * @param seconds 0 for no time limit
     * @throws AssertionError naming the first input that broke the property (also saved under target/fuzz-failures)
     */
    static Counts run(String name, List<byte[]> seeds, Function<byte[], NpyArray> decoder, AdmissionBudget budget, long maxInputs,
            long seconds, BiFunction<byte[], Random, byte[]> extra) {
        Random r = new Random(Long.getLong("tconv.fuzz.seed", 11) ^ name.hashCode());
        long deadline = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
        Counts c = new Counts();
        ExecutorService worker = Executors.newSingleThreadExecutor(daemon());
        Path report = TestFiles.home().resolve("target/fuzz-" + name + ".txt");
        long started = System.nanoTime();
        try {
            while (c.inputs < maxInputs && System.nanoTime() < deadline) {
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                byte[] input = c.inputs < seeds.size() ? seeds.get((int) c.inputs)
                        : extra != null && r.nextInt(4) == 0 ? extra.apply(seed, r) : mutate(seed, r);
                long[] outcome = judge(name, c.inputs, input, decoder, budget, worker);
                c.inputs++;
                if (outcome[0] == 1) c.decoded++;
                else c.rejected++;
                if (c.inputs % 50_000 == 0) progress(report, name, c, started, false);
            }
        } finally {
            worker.shutdownNow();
        }
        progress(report, name, c, started, true);
        return c;
    }

    private static ExecutorService shared;

    /**
     * The property for one input, as a fuzz engine (Jazzer) calls it: decoded within the budget or
     * rejected cleanly, in time.
     *
     * @return true when it decoded, false when it was rejected
     * @throws AssertionError otherwise
     */
    static synchronized boolean check(String name, byte[] input, Function<byte[], NpyArray> decoder, AdmissionBudget budget) {
        if (shared == null) shared = Executors.newSingleThreadExecutor(daemon());
        try {
            return judge(name, 0, input, decoder, budget, shared)[0] == 1;
        } catch (AssertionError e) {
            shared = null; // a hung worker is abandoned with its thread
            throw e;
        }
    }

    /** Decodes one input on {@code worker}; an AssertionError for anything but a clean outcome within the budget. */
    private static long[] judge(String name, long index, byte[] input, Function<byte[], NpyArray> decoder, AdmissionBudget budget,
            ExecutorService worker) {
        Future<long[]> f = worker.submit(() -> decodeOnce(input, decoder, budget));
        long[] outcome;
        try {
            outcome = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            throw fail(name, index, input, "no result after " + TIMEOUT_SECONDS + " s (a hang)");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            throw fail(name, index, input, t.getClass().getName() + ": " + t.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        long allowed = budget.memory() + ALLOCATION_SLACK + 8L * input.length;
        if (outcome[1] > allowed) {
            throw fail(name, index, input, "allocated " + outcome[1] + " bytes, over the budget's " + budget.memory() + " (+ slack: " + allowed + ")");
        }
        return outcome;
    }

    /** {1, bytes} for a decode within the budget, {0, bytes} for a clean rejection; anything else is thrown. */
    private static long[] decodeOnce(byte[] input, Function<byte[], NpyArray> decoder, AdmissionBudget budget) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        int result;
        try {
            NpyArray a = decoder.apply(input);
            if (a.data.length != a.size()) throw new IllegalStateException("shape " + Arrays.toString(a.shape) + " but " + a.data.length + " values");
            if (8L * a.data.length > budget.memory()) throw new IllegalStateException("decoded " + a.data.length + " values, over the budget");
            result = 1;
        } catch (InputRejectedException e) {
            result = 0;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                throw new IllegalStateException("a rejection without a one-line reason: " + e);
            }
            result = 0;
        }
        return new long[] {result, mx.getCurrentThreadAllocatedBytes() - before};
    }

    private static final int[] INTERESTING = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 26000, 65535, 0x10000,
        0x7fffffff, 0x80000000, 0xffffffff, 1 << 20, 1 << 30};

    /** One to four mutations, half of them inside the first 64 bytes, where the headers are. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops && b.length > 0; k++) {
            int pos = r.nextBoolean() ? r.nextInt(Math.min(64, b.length)) : r.nextInt(b.length);
            switch (r.nextInt(8)) {
                case 0: b[pos] ^= (byte) (1 << r.nextInt(8)); break;
                case 1: b[pos] = (byte) INTERESTING[r.nextInt(INTERESTING.length)]; break;
                case 2: put(b, pos, INTERESTING[r.nextInt(INTERESTING.length)], 2, r.nextBoolean()); break;
                case 3: put(b, pos, r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : r.nextInt(), 4, r.nextBoolean()); break;
                case 4: b = Arrays.copyOf(b, pos); break; // truncate
                case 5: { // delete a slice
                    int n = Math.min(b.length - pos, 1 + r.nextInt(16));
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, pos);
                    System.arraycopy(b, pos + n, c, pos, b.length - pos - n);
                    b = c;
                    break;
                }
                case 6: { // duplicate a slice in place
                    int n = Math.min(b.length - pos, 1 + r.nextInt(64));
                    byte[] c = new byte[b.length + n];
                    System.arraycopy(b, 0, c, 0, pos + n);
                    System.arraycopy(b, pos, c, pos + n, b.length - pos);
                    b = c;
                    break;
                }
                default: b[pos] = (byte) r.nextInt(); break;
            }
        }
        return b;
    }

    private static void put(byte[] b, int pos, int v, int bytes, boolean bigEndian) {
        for (int i = 0; i < bytes && pos + i < b.length; i++) {
            int shift = bigEndian ? 8 * (bytes - 1 - i) : 8 * i;
            b[pos + i] = (byte) (v >>> shift);
        }
    }

    private static final String[] DESCRS = {"<f8", "<f4", ">f8", "|u1", "<u1", "|i1", "<i2", ">u2", "<i4", "<i8", "<c16", "|b1", "<U3", "<f2"};
    private static final long[] DIMS = {0, 1, 2, 3, 7, 255, 65536, 1L << 29, 1L << 30, 1L << 31, (1L << 31) - 1, 1L << 32, 1L << 62, -1};

    /** A .npy with a header written afresh: any dtype, any shape (rank 0 to 6, dims up to 2^62), and some data. */
    static byte[] npyHeaderMutant(byte[] seed, Random r) {
        StringBuilder shape = new StringBuilder("(");
        int rank = r.nextInt(7);
        for (int i = 0; i < rank; i++) shape.append(i > 0 ? ", " : "").append(r.nextBoolean() ? DIMS[r.nextInt(DIMS.length)] : r.nextInt(9));
        if (rank == 1) shape.append(',');
        shape.append(')');
        String descr = DESCRS[r.nextInt(DESCRS.length)];
        byte[] h = org.tconv.testing.HostileFiles.npyHeader(descr, shape.toString());
        if (r.nextInt(8) == 0) h = new String(h, StandardCharsets.ISO_8859_1).replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1);
        byte[] f = Arrays.copyOf(h, h.length + r.nextInt(512));
        for (int i = h.length; i < f.length; i++) f[i] = (byte) r.nextInt();
        return r.nextBoolean() ? f : mutate(f, r);
    }

    private static AssertionError fail(String name, long index, byte[] input, String what) {
        Path dir = TestFiles.home().resolve("target/fuzz-failures");
        Path file = dir.resolve(name + "-" + index + ".bin");
        try {
            Files.createDirectories(dir);
            Files.write(file, input);
        } catch (IOException e) {
            file = null;
        }
        return new AssertionError(name + " fuzz input " + index + " (" + input.length + " bytes" + (file != null ? ", saved as " + file : "")
                + "): " + what);
    }

    private static void progress(Path report, String name, Counts c, long started, boolean done) {
        String line = String.format(Locale.ROOT, "%s: %s in %.0f s%s%n", name, c, (System.nanoTime() - started) / 1e9, done ? "" : " (running)");
        try {
            Files.createDirectories(report.getParent());
            Files.writeString(report, line);
        } catch (IOException e) {
            // the count is also printed
        }
        if (done) System.out.print(line);
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return task -> {
            Thread t = new Thread(task, "fuzz-decoder");
            t.setDaemon(true);
            return t;
        };
    }
}
