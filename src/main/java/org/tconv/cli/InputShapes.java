package org.tconv.cli;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;

/** {@code --input-shape C,L | C,H,W | C,D,H,W} of the commands that look at T for one shape. */
final class InputShapes {
    private InputShapes() {}

    static ConvGeometry geometry(ConvSpec spec, String text) {
        try {
            String[] parts = text.trim().split("\\s*,\\s*");
            int[] shape = new int[parts.length];
            for (int i = 0; i < parts.length; i++) shape[i] = Integer.parseInt(parts[i]);
            return spec.geometry(shape);
        } catch (NumberFormatException e) {
            throw new UsageError("--input-shape must be C,L, C,H,W or C,D,H,W, got '" + text + "'");
        } catch (InputRejectedException e) {
            throw new UsageError("--input-shape " + text + ": " + e.getMessage());
        }
    }
}
