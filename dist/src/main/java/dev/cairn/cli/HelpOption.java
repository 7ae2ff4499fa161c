package dev.cairn.cli;

import picocli.CommandLine.Option;

/** {@code -h}, {@code -help}, {@code --help} for subcommands, spelled as Consul's CLI does. */
final class HelpOption {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
