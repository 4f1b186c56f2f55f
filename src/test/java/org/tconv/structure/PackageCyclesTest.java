package org.tconv.structure;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.tconv.testing.TestFiles;

/**
 * No package cycles in tconv's main sources: the packages that name each other (imports and fully
 * qualified org.tconv references) form a graph without cycles, so each layer can be read and tested
 * without the ones above it.
 */
class PackageCyclesTest {
    private static final Pattern REF = Pattern.compile("\\borg\\.tconv\\.([a-z]+)\\.[A-Z]");

    @Test
    void mainPackagesFormNoCycle() throws IOException {
        Path root = TestFiles.home().resolve("src/main/java/org/tconv");
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                Set<String> to = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                String text = stripComments(Files.readString(f));
                Matcher m = REF.matcher(text);
                while (m.find()) if (!m.group(1).equals(pkg)) to.add(m.group(1));
            }
        }
        assertTrue(uses.size() >= 8, "found the packages: " + uses.keySet());
        assertTrue(uses.get("multiply").contains("toeplitz"), "the scan sees imports: " + uses);
        for (String start : uses.keySet()) {
            List<String> cycle = cycleFrom(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertFalse(cycle != null, () -> "package cycle " + String.join(" -> ", cycle) + " in " + uses);
        }
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> uses, List<String> path, Set<String> seen) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> c = new ArrayList<>(path);
                c.add(start);
                return c;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> c = cycleFrom(start, next, uses, path, seen);
                if (c != null) return c;
                path.remove(path.size() - 1);
            }
        }
        return null;
    }

    /** Comments may name other packages ({@link}s) without depending on them. */
    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
