package dev.cairn.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs {@code cairn ...} in-process with captured stdout/stderr, a given stdin and environment. */
final class Cli {

    private Cli() {
    }

    record Result(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ", stdout <" + out() + ">, stderr <" + stderr + ">";
        }
    }

    static Result run(Map<String, String> env, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(Io.of(new ByteArrayInputStream(stdin), new PrintStream(out, true),
                new PrintStream(err, true), env), args);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(Map<String, String> env, String... args) {
        return run(env, new byte[0], args);
    }
}
