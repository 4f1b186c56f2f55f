package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.tconv.conv.InputRejectedException;

/** The JVM-wide reservation of items in flight, on real threads: waiting, refusing, and never deadlocking. */
class InFlightMemoryTest {
    static final long POOL = 100;

    /** Reserves {@code bytes} as one item on a thread of its own and keeps it (the item is being written). */
    private static CompletableFuture<Long> item(InFlightMemory m, long bytes) {
        return CompletableFuture.supplyAsync(() -> {
            m.reserveHere("item", bytes, POOL);
            return m.closeItem(true);
        });
    }

    private static void waitUntil(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        for (int i = 0; i < 500 && !c.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(c.getAsBoolean(), what);
    }

    @Test
    void twoItemsThatFitAloneButNotTogetherTakeTurns() throws Exception {
        InFlightMemory m = new InFlightMemory();
        long first = item(m, 60).get(5, TimeUnit.SECONDS);
        CompletableFuture<Long> second = item(m, 60);
        waitUntil(() -> m.waits() == 1, "the second item waits");
        Thread.sleep(100);
        assertTrue(!second.isDone(), "still waiting while the first is in flight");
        assertEquals(60, m.used());
        m.release(first); // the first item's results are written
        long t = second.get(5, TimeUnit.SECONDS);
        assertEquals(60, m.used());
        m.release(t);
        assertEquals(0, m.used());
    }

    @Test
    void anItemLargerThanThePoolIsRefusedWithTheFigureNotWaitedFor() {
        InFlightMemory m = new InFlightMemory();
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> m.reserveHere("image of 10x10", 150, POOL));
        assertEquals("image of 10x10 needs 0.1 KB, more than the 0.1 KB all items in flight may take together", e.getMessage());
        assertEquals(0, m.used());
    }

    @Test
    void aRejectedItemGivesItsReservationBack() {
        InFlightMemory m = new InFlightMemory();
        m.reserveHere("item", 40, POOL);
        m.reserveHere("item", 70, POOL); // the same item's larger estimate: only the growth is reserved
        assertEquals(70, m.used());
        assertEquals(0, m.closeItem(false));
        assertEquals(0, m.used());
    }

    /**
     * Two tasks each hold an earlier item of their chunk and each ask for a large one: waiting on each other
     * would never end, so the second asker is let through (beyond the pool by what the waiter holds).
     */
    @Test
    void tasksHoldingItemsThatWaitForEachOtherDoNotDeadlock() throws Exception {
        InFlightMemory m = new InFlightMemory();
        java.util.concurrent.CountDownLatch bothSmall = new java.util.concurrent.CountDownLatch(2);
        CompletableFuture<long[]> a = CompletableFuture.supplyAsync(() -> {
            m.reserveHere("small", 30, POOL);
            long small = m.closeItem(true);
            bothSmall.countDown();
            await(bothSmall);
            m.reserveHere("large", 60, POOL); // 30 + 30 + 60 > 100: waits for b
            return new long[] {small, m.closeItem(true)};
        });
        CompletableFuture<long[]> b = CompletableFuture.supplyAsync(() -> {
            m.reserveHere("small", 30, POOL);
            long small = m.closeItem(true);
            bothSmall.countDown();
            await(bothSmall);
            try {
                Thread.sleep(200); // a asks first and waits
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            m.reserveHere("large", 60, POOL); // a waits on b, b would wait on a: b goes on
            return new long[] {small, m.closeItem(true)};
        });
        long[] bTickets = b.get(10, TimeUnit.SECONDS);
        assertEquals(120, m.used(), "b was let through beyond the pool by a's small item");
        assertTrue(!a.isDone(), "a still waits for b's items");
        for (long t : bTickets) m.release(t); // b's results are written
        long[] aTickets = a.get(10, TimeUnit.SECONDS);
        assertEquals(90, m.used());
        for (long t : aTickets) m.release(t);
        assertEquals(0, m.used());
        assertTrue(m.waits() >= 1);
    }

    private static void await(java.util.concurrent.CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
