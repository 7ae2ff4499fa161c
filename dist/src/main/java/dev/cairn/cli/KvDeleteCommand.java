package dev.cairn.cli;

import dev.cairn.client.KvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code cairn kv delete}, as {@code consul kv delete}. */
@Command(name = "delete", description = "Delete a key, or every key under a prefix with -recurse.")
final class KvDeleteCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-recurse", "--recurse"}, description = "Delete every key starting with KEY (all keys if KEY is empty).")
    boolean recurse;

    @Option(names = {"-cas", "--cas"}, description = "Delete only if the key's ModifyIndex is -modify-index.")
    boolean cas;

    @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "N", converter = Unsigned.class,
            description = "ModifyIndex expected by -cas.")
    Long modifyIndex;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY")
    String key = "";

    KvDeleteCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        String k = key.startsWith("/") ? key.substring(1) : key;
        if (k.isEmpty() && !recurse) {
            throw new UsageException("Missing KEY argument");
        }
        if (cas && modifyIndex == null) {
            throw new UsageException("Must specify -modify-index with -cas");
        }
        if (!cas && modifyIndex != null) {
            throw new UsageException("Cannot specify -modify-index without -cas");
        }
        if (recurse && cas) {
            throw new UsageException("Cannot specify both -cas and -recurse");
        }
        KvClient kv = server.kv();
        if (recurse) {
            kv.deleteTree(k);
            io.println("Success! Deleted keys with prefix: " + k);
        } else if (cas) {
            if (!kv.delete(k, modifyIndex)) {
                io.error("Error! Did not delete key " + k + ": CAS failed");
                return 1;
            }
            io.println("Success! Deleted key: " + k);
        } else {
            kv.delete(k, null);
            io.println("Success! Deleted key: " + k);
        }
        return 0;
    }
}
