package org.tconv.operator;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.toeplitz.MemoryBudget;

/**
 * The products this JVM has built, one per (layer, input shape): an executor builds T once per shape, not
 * once per task or image. The key is the spec and the shape themselves (a record: equal specs, equal
 * keys), so two layers never share an entry through a hash collision. Least recently used entries are
 * dropped when the cache would pass {@link MemoryBudget#available()}.
 */
public final class OperatorCache {
    private OperatorCache() {}

    /** What one cached product is the operator of. */
    record Key(ConvSpec spec, List<Integer> inputShape) {
        static Key of(ConvGeometry g) {
            return new Key(g.spec, java.util.Arrays.stream(g.inputShape()).boxed().toList());
        }
    }

    private static final Map<Key, LocalToeplitz> CACHE = new LinkedHashMap<>(16, 0.75f, true);
    private static long cachedBytes;
    private static long builds;
    private static long builtBytes;

    /** The cached product for this geometry, built on first use; least recently used ones make room. */
    static LocalToeplitz get(ConvGeometry g) {
        Key key = Key.of(g);
        synchronized (CACHE) {
            LocalToeplitz hit = CACHE.get(key);
            if (hit != null) return hit;
            LocalToeplitz built = new LocalToeplitz(g); // checks its own size against MemoryBudget first
            long bytes = built.bytes();
            Iterator<LocalToeplitz> it = CACHE.values().iterator();
            while (cachedBytes + bytes > MemoryBudget.available() && it.hasNext()) {
                cachedBytes -= it.next().bytes();
                it.remove();
            }
            builds++;
            builtBytes += bytes;
            CACHE.put(key, built);
            cachedBytes += bytes;
            return built;
        }
    }

    /** A cached product grew (its line plans or float32 copy were made): the cache counts what it adds. */
    static void grew(LocalToeplitz t, long bytes) {
        synchronized (CACHE) {
            builtBytes += bytes;
            if (CACHE.containsValue(t)) cachedBytes += bytes;
        }
    }

    /** Operators built by this JVM so far: lets tests and the bench check T is not rebuilt per image. */
    public static long buildCount() {
        synchronized (CACHE) {
            return builds;
        }
    }

    /** Bytes of every operator this JVM has built so far: what the builds cost in memory. */
    public static long builtBytes() {
        synchronized (CACHE) {
            return builtBytes;
        }
    }

    /** Forgets every cached operator (the bench uses it to time a build). */
    public static void clear() {
        synchronized (CACHE) {
            CACHE.clear();
            cachedBytes = 0;
        }
    }
}
