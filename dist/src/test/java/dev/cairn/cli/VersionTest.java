package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VersionTest {

    @Test
    void versionPrintsTheProjectVersionNotDev() {
        String expected = System.getProperty("cairn.expectedVersion");
        assertThat(expected).as("set by the surefire configuration in dist/pom.xml").isNotBlank();

        Cli.Result version = Cli.run(Map.of(), "version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("Cairn v" + expected + "\n");
        assertThat(Cli.run(Map.of(), "--version").out()).isEqualTo("Cairn v" + expected + "\n");
    }
}
