package org.tconv.read;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.tconv.conv.InputRejectedException;

/**
 * The memory of every item in flight in this JVM (an executor runs one task per core, each decoding its
 * own items): an item reserves its estimated bytes before its arrays exist and gives them back when its
 * results are written (or it is rejected, or its task ends). Together the items never take more than the
 * pool, the same figure one item may take ({@link AdmissionBudget#memory()}): two items of 30% of the heap
 * each fit alone, and on two cores the second waits for the first instead of both exhausting the heap.
 *
 * <p>No deadlock: a task waits while holding reservations of its own (the earlier items of its chunk) only
 * while some other holder is not waiting, and so will write and release; when every other holder waits
 * too, the reservation is granted beyond the pool by what the waiting tasks hold (a chunk of small items
 * each, ~16 MB). An item larger than the pool is refused with the figure, never waited for.
 */
public final class InFlightMemory {
    private static final InFlightMemory JVM = new InFlightMemory();

    public static InFlightMemory jvm() {
        return JVM;
    }

    private long used;
    private final Map<Thread, Long> held = new HashMap<>();
    private final Map<Long, Long> tickets = new HashMap<>();
    private final Map<Long, Thread> owners = new HashMap<>();
    private final Set<Thread> waitingHolders = new HashSet<>();
    private final AtomicLong nextTicket = new AtomicLong(1);
    /** Reservations that had to wait: a figure for tests and the docs. */
    private final AtomicLong waits = new AtomicLong();
    /** The current thread's item being decoded: its ticket, grown by each estimate until the item is done. */
    private final ThreadLocal<long[]> open = new ThreadLocal<>();

    InFlightMemory() {}

    public long waits() {
        return waits.get();
    }

    public synchronized long used() {
        return used;
    }

    /**
     * Grows the current thread's open item to {@code bytes} (an estimate; only the growth is reserved), waiting
     * while it does not fit beside the other items in flight.
     *
     * @param pool the most all items in flight may take together
     * @throws InputRejectedException when the item alone is larger than the pool
     */
    public void reserve(String what, long bytes, long pool) {
        // Only the items of Spark tasks are in flight here; a decoder called elsewhere (a test, a fuzz run) has no
        // task whose end would give its reservation back.
        if (org.apache.spark.TaskContext.get() == null) return;
        onTaskEndReleaseAll();
        reserveHere(what, bytes, pool);
    }

    /** {@link #reserve} on this thread whether or not it runs a task (the unit test's threads). */
    void reserveHere(String what, long bytes, long pool) {
        long[] item = open.get();
        long have = item == null ? 0 : item[1];
        if (bytes <= have) return;
        long ticket = item == null ? nextTicket.getAndIncrement() : item[0];
        grant(ticket, bytes - have, bytes, pool, what);
        if (item == null) open.set(new long[] {ticket, bytes});
        else item[1] = bytes;
    }

    private synchronized void grant(long ticket, long more, long total, long pool, String what) {
        if (total > pool) {
            throw new InputRejectedException(what + " needs " + AdmissionBudget.bytesText(total) + ", more than the "
                    + AdmissionBudget.bytesText(pool) + " all items in flight may take together");
        }
        Thread me = Thread.currentThread();
        boolean waited = false;
        try {
            while (used + more > pool && !mustNotWait(me)) {
                if (!waited) waits.incrementAndGet();
                waited = true;
                if (held.getOrDefault(me, 0L) > 0) {
                    waitingHolders.add(me);
                    notifyAll(); // the other waiters see one more holder waiting
                }
                try {
                    wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InputRejectedException(what + ": interrupted while waiting for memory held by other items");
                }
            }
        } finally {
            waitingHolders.remove(me);
        }
        used += more;
        held.merge(me, more, Long::sum);
        tickets.merge(ticket, more, Long::sum);
        owners.put(ticket, me);
    }

    /** Waiting would never end: this thread holds something and every other holder waits (or there is none). */
    private boolean mustNotWait(Thread me) {
        if (held.getOrDefault(me, 0L) == 0) return false;
        for (Map.Entry<Thread, Long> e : held.entrySet()) {
            if (e.getKey() != me && e.getValue() > 0 && !waitingHolders.contains(e.getKey())) return false;
        }
        return true;
    }

    /** The Spark task attempt whose end this thread's listener waits for, -1 for none. */
    private final ThreadLocal<Long> task = ThreadLocal.withInitial(() -> -1L);

    /** Inside a Spark task: everything its thread holds is given back when the task ends, however it ends. */
    private void onTaskEndReleaseAll() {
        org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
        if (ctx == null || task.get() == ctx.taskAttemptId()) return;
        open.remove(); // a reservation of the thread's previous task is not this task's
        task.set(ctx.taskAttemptId());
        Thread t = Thread.currentThread();
        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> {
            if (Thread.currentThread() == t) open.remove();
            releaseAllOf(t);
        });
    }

    /**
     * Ends the current thread's open item: its reservation is now the batch's ({@code ok}), or given back (a
     * rejected item).
     *
     * @return the ticket to release when the batch is written, 0 when none is held
     */
    public long closeItem(boolean ok) {
        long[] item = open.get();
        open.remove();
        if (item == null) return 0;
        if (!ok) {
            release(item[0]);
            return 0;
        }
        return item[0];
    }

    /** Gives back a ticket's bytes (an item written); a ticket of another JVM, or released already, is ignored. */
    public synchronized void release(long ticket) {
        Long bytes = tickets.remove(ticket);
        if (bytes == null) return;
        Thread owner = owners.remove(ticket);
        used -= bytes;
        held.computeIfPresent(owner, (t, h) -> h - bytes <= 0 ? null : h - bytes);
        notifyAll();
    }

    /** Gives back everything the current thread holds: its task ended (written, failed or killed). */
    public void releaseThread() {
        open.remove();
        releaseAllOf(Thread.currentThread());
    }

    synchronized void releaseAllOf(Thread t) {
        tickets.entrySet().removeIf(e -> {
            if (owners.get(e.getKey()) != t) return false;
            used -= e.getValue();
            owners.remove(e.getKey());
            return true;
        });
        held.remove(t);
        notifyAll();
    }
}
