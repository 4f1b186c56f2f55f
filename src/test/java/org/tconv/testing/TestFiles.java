package org.tconv.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.tconv.read.NpyArray;

/** Writing and reading the small files tests feed to tconv. */
public final class TestFiles {
    private TestFiles() {}

    public static Path home() {
        return Paths.get(System.getProperty("tconv.home", ".")).toAbsolutePath().normalize();
    }

    public static Path write(Path file, int[] shape, double[] data) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, NpyArray.toBytes(shape, data));
        return file;
    }

    public static NpyArray read(Path file) throws IOException {
        return NpyArray.read(Files.readAllBytes(file));
    }
}
