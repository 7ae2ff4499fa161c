package dev.cairn.cli;

import dev.cairn.client.KvClient;
import dev.cairn.client.KvPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code cairn kv import [@file|-|JSON]}: writes what {@code kv export} printed. Everything is
 * parsed and checked first, so bad input writes nothing. Entries then go in {@code /v1/txn}
 * chunks of at most {@value #MAX_OPS} set operations, each chunk atomic (Consul writes one key at
 * a time). The server caps a transaction at 128 operations and 512 KiB of JSON; an entry too big
 * for a transaction, or with flags of 2^63 and up (which the txn endpoint refuses), is written on
 * its own with a plain PUT.
 */
@Command(name = "import", description = "Write keys from kv export's JSON: @file, - (stdin) or the JSON itself.")
final class KvImportCommand implements Callable<Integer> {

    static final int MAX_OPS = 64;
    /** Below the server's 512 KiB txn body limit, leaving room for the JSON around the values. */
    static final long MAX_CHUNK_BYTES = 384 * 1024;

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-prefix", "--prefix"}, paramLabel = "PREFIX", defaultValue = "",
            description = "Prepend this to every imported key.")
    String prefix;

    @Parameters(index = "0", paramLabel = "DATA", description = "@file, - for stdin, or the JSON itself.")
    String data;

    KvImportCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (data.isEmpty()) {
            throw new UsageException("Empty DATA argument");
        }
        List<KvPair> entries;
        try {
            entries = KvExportFormat.read(DataArgument.load(data, io), prefix);
        } catch (DataArgument.UnreadableException e) {
            io.error("Error! " + e.getMessage());
            return 1;
        } catch (KvExportFormat.InvalidException e) {
            io.error(e.getMessage());
            return 1;
        }
        KvClient kv = server.kv();
        List<KvPair> chunk = new ArrayList<>();
        long chunkBytes = 0;
        for (KvPair e : entries) {
            long size = opSize(e);
            if (size > MAX_CHUNK_BYTES || e.flags() < 0) {
                if (!commit(kv, chunk)) {
                    return 1;
                }
                kv.put(e.key(), e.value(), e.flags(), null);
                io.println("Imported: " + e.key());
                continue;
            }
            if (chunk.size() == MAX_OPS || chunkBytes + size > MAX_CHUNK_BYTES) {
                if (!commit(kv, chunk)) {
                    return 1;
                }
                chunkBytes = 0;
            }
            chunk.add(e);
            chunkBytes += size;
        }
        return commit(kv, chunk) ? 0 : 1;
    }

    /** Writes and empties the chunk; false (after saying why) if the server rolled it back. */
    private boolean commit(KvClient kv, List<KvPair> chunk) {
        if (chunk.isEmpty()) {
            return true;
        }
        KvClient.TxnResult r = kv.txn(chunk.stream().map(e -> KvClient.TxnOp.set(e.key(), e.value(), e.flags())).toList());
        if (!r.committed()) {
            io.error("Error! Failed writing data for keys " + chunk.get(0).key() + " .. "
                    + chunk.get(chunk.size() - 1).key() + ": " + String.join("; ", r.errors()));
            return false;
        }
        chunk.forEach(e -> io.println("Imported: " + e.key()));
        chunk.clear();
        return true;
    }

    /** An upper bound of the operation's JSON size: base64 value, key escaped at worst, and the field names. */
    private static long opSize(KvPair e) {
        return 4L * ((e.value().length + 2) / 3) + 6L * e.key().getBytes(StandardCharsets.UTF_8).length + 96;
    }
}
