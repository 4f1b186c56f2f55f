package org.tconv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** An output's {@code _rejected.csv}, read by Commons CSV's RFC 4180 parser: path -> reason. */
public final class RejectedCsv {
    private RejectedCsv() {}

    public static Map<String, String> read(Path output) throws IOException {
        Map<String, String> m = new TreeMap<>();
        CSVFormat rfc = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
        try (CSVParser p = CSVParser.parse(output.resolve("_rejected.csv"), StandardCharsets.UTF_8, rfc)) {
            assertEquals(List.of("path", "reason"), p.getHeaderNames());
            for (CSVRecord r : p) {
                assertEquals(2, r.size(), r::toString);
                m.put(r.get(0), r.get(1));
            }
        }
        return m;
    }
}
