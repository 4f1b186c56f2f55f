package org.tconv.cli;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Where tconv is installed ({@code -Dtconv.home}, set by bin/tconv): the defaults live there. */
final class Home {
    private Home() {}

    static Path dir() {
        return Paths.get(System.getProperty("tconv.home", ".")).toAbsolutePath().normalize();
    }

    static String resolve(String relative) {
        return dir().resolve(relative).toString();
    }
}
