package dev.cairn.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a command reads and writes, and the environment it sees. {@link #system()} in production;
 * tests pass byte buffers and a map, so they can check output and exit codes without
 * {@code System.exit} or touching the real environment. Output is bytes: {@code kv get} prints
 * stored values unchanged.
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Function<String, String> env) {

    public static Io system() {
        return new Io(System.in, System.out, System.err, System::getenv);
    }

    public static Io of(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return new Io(in, out, err, env::get);
    }

    /** The variable's value, or null when unset or empty. */
    String getenv(String name) {
        String v = env.apply(name);
        return v == null || v.isEmpty() ? null : v;
    }

    void println(String line) {
        write(utf8(line + "\n"));
    }

    void write(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
    }

    void error(String line) {
        byte[] b = utf8(line + "\n");
        err.write(b, 0, b.length);
        err.flush();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
