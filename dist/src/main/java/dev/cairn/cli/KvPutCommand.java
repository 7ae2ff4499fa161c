package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;

/** {@code cairn kv put KEY [VALUE|@file|-]}, as {@code consul kv put}. */
@Command(name = "put", description = "Write a value to a key: VALUE, @file (its bytes) or - (stdin); none means empty.")
final class KvPutCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-cas", "--cas"}, description = "Check-and-set: write only if the key's ModifyIndex is -modify-index (0: only if absent).")
    boolean cas;

    @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "N", converter = Unsigned.class,
            description = "ModifyIndex expected by -cas.")
    Long modifyIndex;

    @Option(names = {"-flags", "--flags"}, paramLabel = "N", converter = Unsigned.class,
            description = "Unsigned integer stored with the key (default 0).")
    Long flags;

    @Option(names = {"-base64", "--base64"}, description = "The data is base64: decode it before writing.")
    boolean base64;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE")
    String value;

    KvPutCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (cas && modifyIndex == null) {
            throw new UsageException("Must specify -modify-index with -cas");
        }
        if (!cas && modifyIndex != null) {
            throw new UsageException("Cannot specify -modify-index without -cas");
        }
        checkKey(key);
        byte[] data;
        try {
            data = value == null ? new byte[0] : DataArgument.load(value, io);
        } catch (DataArgument.UnreadableException e) {
            io.error("Error! " + e.getMessage());
            return 1;
        }
        if (base64) {
            try {
                data = decodeBase64(new String(data, StandardCharsets.ISO_8859_1));
            } catch (IllegalArgumentException e) {
                io.error("Error! Cannot base 64 decode data: " + e.getMessage());
                return 1;
            }
        }
        boolean written = server.kv().put(key, data, flags == null ? 0 : flags, cas ? modifyIndex : null);
        if (!written) {
            io.error("Error! Did not write to " + key + ": CAS failed");
            return 1;
        }
        io.println("Success! Data written to: " + key);
        return 0;
    }

    /** Go's StdEncoding ignores CR and LF, so {@code base64 file | cairn kv put -base64 k -} works. */
    static byte[] decodeBase64(String text) {
        return Base64.getDecoder().decode(text.replace("\r", "").replace("\n", ""));
    }

    /** Consul's Go client refuses these before sending; so do we, with its words. */
    static void checkKey(String key) {
        if (key.isEmpty()) {
            throw new UsageException("Missing KEY argument");
        }
        if (key.startsWith("/")) {
            throw new UsageException("Invalid key. Key must not begin with a '/': " + key);
        }
    }
}
