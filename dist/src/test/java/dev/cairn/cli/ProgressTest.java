package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @Test
    void theBarRedrawsInPlaceAndEndsItsLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress bar = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "Saving snapshot");

        bar.progress(0, 200_000_000);
        bar.progress(200_000_000, 200_000_000);
        bar.finish();

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\rSaving snapshot [" + " ".repeat(30) + "]   0% 0.0 MB / 200.0 MB")
                .endsWith("\rSaving snapshot [" + "#".repeat(30) + "] 100% 200.0 MB / 200.0 MB\n");
    }

    @Test
    void anUnknownSizeShowsBytesOnly() {
        Progress bar = new Progress(new PrintStream(new ByteArrayOutputStream()), "Saving snapshot");

        bar.progress(1_500_000, -1);

        assertThat(bar.line()).isEqualTo("Saving snapshot 1.5 MB");
    }

    @Test
    void nothingIsDrawnOffATerminal() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = Io.of(System.in, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), java.util.Map.of());

        Progress.on(io, "Saving snapshot").progress(10, 100);

        assertThat(err.size()).isZero();
    }
}
