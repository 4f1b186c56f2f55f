package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class OutputNamesTest {
    @Test
    void eachFormatNamesItsFiles() {
        assertEquals(List.of("d/a.npy"), OutputNames.of("d/a", OutputFormat.NPY, 3));
        assertEquals(List.of("d/a.png"), OutputNames.of("d/a", OutputFormat.PNG, 0));
        assertEquals(List.of("d/a_0.png", "d/a_1.png"), OutputNames.of("d/a", OutputFormat.PNG, 2));
        assertEquals(List.of(), OutputNames.of("d/a", OutputFormat.PARQUET, 0));
    }

    @Test
    void aClashRejectsTheLaterInputAndClaimsNothingForIt() {
        OutputNames names = new OutputNames(true);
        assertNull(names.claim("a.npy", List.of("a_0.png", "a_1.png")));
        assertEquals("output a_1.png would overwrite the output of a.npy", names.claim("a_1.png", List.of("a_1.png")));
        assertNull(names.claim("a_2.png", List.of("a_2.png")), "a_2.png was nobody's");
    }

    @Test
    void aFileWhereADirectoryIsNeededClashesBothWays() {
        OutputNames names = new OutputNames(true);
        assertNull(names.claim("x.npy/y.png", List.of("x.npy/y.npy")));
        assertTrue(names.claim("x.png", List.of("x.npy")).contains("needs a directory"));
        OutputNames reverse = new OutputNames(true);
        assertNull(reverse.claim("x.png", List.of("x.npy")));
        assertTrue(reverse.claim("x.npy/y.png", List.of("x.npy/y.npy")).contains("where the output of x.png is a file"));
    }

    @Test
    void lengthIsCountedInUtf8BytesPerName() {
        OutputNames names = new OutputNames(true);
        assertNull(names.claim("ok", List.of("d".repeat(255) + "/" + "e".repeat(251) + ".npy")), "255 bytes per component");
        assertTrue(names.claim("long", List.of("é".repeat(126) + ".npy")).contains("too long: 256 bytes"));
        assertNull(names.claim("colon", List.of("a:b.npy")), "the local file system holds a colon");
        assertTrue(new OutputNames(false).claim("colon", List.of("c/a:b.npy")).contains("colon"), "HDFS does not");
    }
}
