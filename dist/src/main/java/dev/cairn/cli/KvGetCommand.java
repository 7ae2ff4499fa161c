package dev.cairn.cli;

import dev.cairn.client.KvClient;
import dev.cairn.client.KvPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code cairn kv get}: output byte for byte as {@code consul kv get} prints it. */
@Command(name = "get", description = "Read a key's value, or list keys and values under a prefix.")
final class KvGetCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-recurse", "--recurse"}, description = "Print every key:value under the prefix.")
    boolean recurse;

    @Option(names = {"-keys", "--keys"}, description = "List keys under the prefix, not values.")
    boolean keys;

    @Option(names = {"-separator", "--separator"}, paramLabel = "SEP", defaultValue = "/",
            description = "With -keys, cut keys after this separator (default \"/\"; \"\" for none).")
    String separator;

    @Option(names = {"-detailed", "--detailed"}, description = "Print the entry's metadata too.")
    boolean detailed;

    @Option(names = {"-base64", "--base64"}, description = "Print values base64-encoded.")
    boolean base64;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "Key, or prefix with -recurse/-keys.")
    String key = "";

    KvGetCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        // Consul strips one leading slash: users type "/foo" though keys never start with one.
        String k = key.startsWith("/") ? key.substring(1) : key;
        if (k.isEmpty() && !recurse && !keys) {
            throw new UsageException("Missing KEY argument (use -recurse or -keys to list from the root)");
        }
        KvClient kv = server.kv();
        if (keys && recurse) {
            List<KvPair> pairs = kv.list(k);
            for (int i = 0; i < pairs.size(); i++) {
                if (detailed) {
                    io.write(detailed(pairs.get(i), false, true));
                    io.println(i < pairs.size() - 1 ? "\n" : "");
                } else {
                    io.println(pairs.get(i).key());
                }
            }
        } else if (keys) {
            kv.keys(k, separator).forEach(io::println);
        } else if (recurse) {
            List<KvPair> pairs = kv.list(k);
            for (int i = 0; i < pairs.size(); i++) {
                KvPair p = pairs.get(i);
                if (detailed) {
                    io.write(detailed(p, base64, false));
                    io.println(i < pairs.size() - 1 ? "\n" : "");
                } else {
                    io.write((p.key() + ":").getBytes(StandardCharsets.UTF_8));
                    io.write(value(p));
                    io.println("");
                }
            }
        } else {
            Optional<KvPair> pair = kv.get(k);
            if (pair.isEmpty()) {
                io.error("Error! No key exists at: " + k);
                return 1;
            }
            io.write(detailed ? detailed(pair.get(), base64, false) : value(pair.get()));
            io.println("");
        }
        return 0;
    }

    private byte[] value(KvPair p) {
        return base64 ? Base64.getEncoder().encode(p.value()) : p.value();
    }

    /**
     * Consul's {@code prettyKVPair}: a Go tabwriter with padding 6, so the value column starts six
     * spaces past the longest label; no newline after the Value row (Consul's UI adds one).
     */
    static byte[] detailed(KvPair p, boolean base64, boolean keysOnly) {
        String[][] rows = {
                {"CreateIndex", Long.toUnsignedString(p.createIndex())},
                {"Flags", Long.toUnsignedString(p.flags())},
                {"Key", p.key()},
                {"LockIndex", Long.toUnsignedString(p.lockIndex())},
                {"ModifyIndex", Long.toUnsignedString(p.modifyIndex())},
                {"Session", p.session().isEmpty() ? "-" : p.session()},
        };
        int width = "CreateIndex".length() + 6;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] row : rows) {
            out.writeBytes((pad(row[0], width) + row[1] + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!keysOnly) {
            out.writeBytes(pad("Value", width).getBytes(StandardCharsets.UTF_8));
            out.writeBytes(base64 ? Base64.getEncoder().encode(p.value()) : p.value());
        }
        return out.toByteArray();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
