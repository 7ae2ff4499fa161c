package dev.cairn.cli;

import picocli.CommandLine;

/** Parses a uint64 flag ({@code -flags}, {@code -modify-index}) into a long, as Consul's flags are. */
final class Unsigned implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not an unsigned integer");
        }
    }
}
