package org.tconv.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which Spark settings a command asks for, and who wins when several say something about one key. */
class SessionSettingsTest {
    private static final String FS = "org.tconv.write.PosixLocalFileSystem";

    @Test
    void localIsLeanAndQuietByDefault() {
        Map<String, String> s = SessionSettings.quiet().resolve(true, 2, k -> false, FS);
        assertEquals("false", s.get("spark.ui.enabled"));
        assertEquals("false", s.get("spark.eventLog.enabled"));
        assertEquals("2", s.get("spark.sql.shuffle.partitions"));
        assertEquals("false", s.get("spark.ui.showConsoleProgress"));
        assertEquals(FS, s.get("spark.hadoop.fs.file.impl"));
        Map<String, String> cluster = SessionSettings.quiet().resolve(false, 2, k -> false, FS);
        assertNull(cluster.get("spark.ui.enabled"), "a cluster keeps its UI and event log settings: " + cluster);
        assertNull(cluster.get("spark.hadoop.fs.file.impl"));
    }

    @Test
    void confWinsOverEverythingAndGivenSettingsOverTconvsDefaults() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.sql.shuffle.partitions", "7");
        conf.put("spark.ui.enabled", "false");
        conf.put("spark.executor.memory", "3g");
        Map<String, String> s = new SessionSettings(conf, true, true).resolve(true, 2, Set.of("spark.eventLog.enabled")::contains, FS);
        assertEquals("7", s.get("spark.sql.shuffle.partitions"));
        assertEquals("false", s.get("spark.ui.enabled"), "--conf spark.ui.enabled=false beats --ui");
        assertEquals("3g", s.get("spark.executor.memory"));
        assertFalse(s.containsKey("spark.eventLog.enabled"), "spark-defaults' own value is left alone");
        assertEquals("false", s.get("spark.ui.showConsoleProgress"), "tconv's own line, not Spark's bar, even when watched");
        assertEquals("true", new SessionSettings(Map.of(), true, false).resolve(true, 2, k -> false, FS).get("spark.ui.enabled"));
    }

    @Test
    void aClusterJobSurvivesLostExecutorsUnlessToldOtherwise() {
        Map<String, String> cluster = SessionSettings.quiet().resolve(false, 2, k -> false, FS);
        assertEquals("8", cluster.get("spark.task.maxFailures"));
        assertEquals("false", cluster.get("spark.excludeOnFailure.enabled"));
        assertEquals("true", cluster.get("spark.speculation"));
        Map<String, String> local = SessionSettings.quiet().resolve(true, 2, k -> false, FS);
        assertNull(local.get("spark.task.maxFailures"), "local mode keeps Spark's own (one attempt): " + local);
        assertNull(local.get("spark.speculation"));
        Map<String, String> given = new SessionSettings(Map.of("spark.speculation", "false"), false, false)
                .resolve(false, 2, Set.of("spark.task.maxFailures")::contains, FS);
        assertFalse(given.containsKey("spark.task.maxFailures"), "a value from spark-submit or the cluster's spark-defaults.conf stays");
        assertEquals("false", given.get("spark.speculation"), "--conf wins");
    }

    /** The shipped conf/spark-defaults.conf and the defaults a spark-submit without it gets say the same. */
    @Test
    void theShippedPropertiesFileHoldsTheSameClusterDefaults() throws java.io.IOException {
        Map<String, String> file = new LinkedHashMap<>();
        for (String line : java.nio.file.Files.readAllLines(org.tconv.testing.TestFiles.home().resolve("conf/spark-defaults.conf"))) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] kv = t.split("\\s+", 2);
            file.put(kv[0], kv.length > 1 ? kv[1].trim() : "");
        }
        for (Map.Entry<String, String> e : SessionSettings.CLUSTER_DEFAULTS.entrySet()) {
            assertEquals(e.getValue(), file.get(e.getKey()), "conf/spark-defaults.conf: " + e.getKey());
        }
    }

    @Test
    void progressOnlyForAPersonAtATerminalAndNotWhenQuiet() {
        assertTrue(SessionSettings.showProgress(false, true));
        assertFalse(SessionSettings.showProgress(true, true));
        assertFalse(SessionSettings.showProgress(false, false));
        assertFalse(SessionSettings.showProgress(true, false));
    }
}
