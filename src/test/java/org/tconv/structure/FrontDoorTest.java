package org.tconv.structure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.tconv.testing.TestFiles;

/**
 * Every caller gets T from the front door, {@code org.tconv.operator.ConvOperator}: outside the operator's
 * own packages (operator, and toeplitz, the generator it is built on) no main source builds T's internal
 * forms itself, and the internal product types are not even visible there.
 */
class FrontDoorTest {
    /** Building one of T's forms by hand: what only the operator's packages may do. */
    private static final Pattern BUILDS = Pattern.compile(
            "new\\s+(ToeplitzEntries|BlockToeplitzMap|SparseToeplitzMap|BlockToeplitz|GramLines)\\s*\\("
                    + "|\\bLocalToeplitz\\b|\\bMatrixMarketWriter\\s*\\.");
    private static final Set<String> OPERATOR_PACKAGES = Set.of("operator", "toeplitz");

    @Test
    void noCallerOutsideTheOperatorPackagesBuildsTDirectly() throws IOException {
        Path root = TestFiles.home().resolve("src/main/java/org/tconv");
        List<String> offenders = new ArrayList<>();
        int inside = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                Matcher m = BUILDS.matcher(stripComments(Files.readString(f)));
                while (m.find()) {
                    if (OPERATOR_PACKAGES.contains(pkg)) inside++;
                    else offenders.add(root.relativize(f) + ": " + m.group());
                }
            }
        }
        assertTrue(inside > 5, "the scan sees the operator packages building T (" + inside + " matches)");
        assertEquals(List.of(), offenders, "callers must use ConvOperator");
    }

    @Test
    void theProductTypesAreInternal() throws ClassNotFoundException {
        for (String name : List.of("LocalToeplitz", "BlockToeplitzMap", "SparseToeplitzMap", "LineProduct", "PanelProduct",
                "VectorLineProduct", "VectorPanelProduct")) {
            Class<?> c = Class.forName("org.tconv.operator." + name);
            assertFalse(Modifier.isPublic(c.getModifiers()), name + " is public");
        }
        assertTrue(Modifier.isPublic(Class.forName("org.tconv.operator.ConvOperator").getModifiers()));
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
