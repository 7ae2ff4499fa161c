package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cairn version}: prints the version, as {@code consul version} does. */
@Command(name = "version", description = "Print the Cairn version.")
final class Version implements Runnable {

    static String version() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    @Override
    public void run() {
        System.out.println("Cairn v" + version());
        System.out.println("Protocol: Consul HTTP API v1 (subset)");
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Cairn v" + version()};
        }
    }
}
