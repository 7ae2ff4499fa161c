package dev.cairn.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A running {@code cairn template} daemon notices its template file changing on disk: an edit is
 * re-rendered without a restart, and a broken edit is reported while the last good version of
 * the template stays in service.
 */
@ExtendWith(CairnProcessExtension.class)
class TemplateReloadIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private String read(Path p) throws Exception {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    @Test
    void anEditedTemplateIsReRenderedAndABrokenEditKeepsTheLastGoodOutput() throws Exception {
        Path template = dir.resolve("app.ctmpl");
        Path out = dir.resolve("app.conf");
        Files.writeString(template, "max={{key:app/max}}\n");
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            server.http().set("app/max", "100");
            TemplateDaemonProcess daemon = TemplateDaemonProcess.start(dir, server,
                    "-template", template + ":" + out);
            try {
                await("first render").atMost(WAIT).until(() -> read(out).equals("max=100\n"));

                Files.writeString(template, "limit={{key:app/max}} # edited\n");
                await("the edit rendered").atMost(WAIT).until(() -> read(out).equals("limit=100 # edited\n"));

                Files.writeString(template, "broken={{#key:app/max}}\n");
                await("the broken edit reported").atMost(WAIT).until(() -> daemon.log().contains("app.ctmpl:1"));
                // the last good version of the template stays in service, with live data
                server.http().set("app/max", "200");
                await("the last good template rendering new data").atMost(WAIT)
                        .until(() -> read(out).equals("limit=200 # edited\n"));
                assertThat(daemon.isAlive()).as("the daemon keeps running").isTrue();

                Files.writeString(template, "fixed={{key:app/max}}\n");
                await("the fixed template rendered with current data").atMost(WAIT)
                        .until(() -> read(out).equals("fixed=200\n"));
            } catch (Throwable t) {
                System.err.println("==== template reload test failed; " + daemon);
                throw t;
            } finally {
                daemon.close();
            }
        }
    }
}
