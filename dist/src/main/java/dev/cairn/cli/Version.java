package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code cairn version}: prints the version, as {@code consul version} does. */
@Command(name = "version", description = "Print the Cairn version.")
final class Version implements Runnable {

    private final Io io;

    Version(Io io) {
        this.io = io;
    }

    /**
     * The jar manifest's Implementation-Version (set by the shade plugin), else the version Maven
     * filtered into {@code version.properties} (tests and IDE runs use target/classes, which has no
     * manifest), else "dev".
     */
    static String version() {
        String v = Version.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String filtered = p.getProperty("version", "");
                if (!filtered.isEmpty() && !filtered.startsWith("${")) {
                    return filtered;
                }
            }
        } catch (IOException e) {
            // fall through: a version string is not worth failing a command for
        }
        return "dev";
    }

    @Override
    public void run() {
        io.println("Cairn v" + version());
        io.println("Protocol: Consul HTTP API v1 (subset)");
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Cairn v" + version()};
        }
    }
}
