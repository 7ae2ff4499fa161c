package dev.cairn.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Helpers for the tests that run a real proxy (nginx, haproxy) behind the template daemon. */
final class Proxies {

    private Proxies() {
    }

    /** The repository's {@code examples/} folder (failsafe runs in the module's folder). */
    static Path examples() {
        return Path.of(System.getProperty("user.dir")).resolve("../examples").normalize();
    }

    /** Status line code and body of {@code GET path} on 127.0.0.1:port, over a fresh connection. */
    record Answer(int status, String body) {
    }

    /**
     * One HTTP/1.0 request on a new connection: no client-side pooling, so each answer comes from
     * whichever proxy worker is current, not from a connection an old worker still holds.
     */
    static Answer get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyAt = text.indexOf("\r\n\r\n");
            return new Answer(status, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
        } catch (IOException e) {
            throw new UncheckedIOException("GET 127.0.0.1:" + port + path, e);
        }
    }

    /** The bodies of {@code n} requests in a row. */
    static List<String> bodies(int port, String path, int n) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Answer a = get(port, path);
            bodies.add(a.status() + " " + a.body());
        }
        return bodies;
    }

    /** Writes an executable {@code /bin/sh} script. */
    static Path script(Path file, String body) {
        try {
            Files.writeString(file, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines in a counter file the wrapper scripts append to (0 when it does not exist yet). */
    static int count(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills (SIGKILL) every process whose command line mentions {@code marker} (a test's temp dir). */
    static void killProcessesMentioning(String marker) {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .forEach(ProcessHandle::destroyForcibly);
    }
}
