package dev.cairn.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker engine through {@code /usr/bin/docker}, and the one image the tests run: a
 * rootfs holding Debian's busybox-static ({@code /bin/busybox} and a link per applet), imported
 * with {@code docker import}; nothing is pulled. Every container is named {@code cairn-it-...} so
 * that {@link #removeAll()} (and .ci/run) can find what a test left.
 */
final class Docker {

    static final String BINARY = "/usr/bin/docker";
    static final String IMAGE = "cairn-it-busybox:latest";
    static final String PREFIX = "cairn-it-";
    private static boolean imageBuilt;

    private Docker() {
    }

    /** Output of a docker command that must succeed (stdout, trimmed). */
    static String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(BINARY));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Builds the busybox image from /bin/busybox, unless the engine has it already (importing the
     * same tag again would leave the previous image behind, untagged, on every run).
     */
    static synchronized void buildImage(Path work) {
        if (imageBuilt || exists(IMAGE)) {
            imageBuilt = true;
            return;
        }
        try {
            Path root = Files.createDirectories(work.resolve("rootfs"));
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
            bin.resolve("busybox").toFile().setExecutable(true, false);
            for (String applet : exec(List.of("/bin/busybox", "--list")).split("\\s+")) {
                if (!applet.isEmpty() && !applet.equals("busybox")) {
                    Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
                }
            }
            Files.createDirectories(root.resolve("tmp"));
            Files.createDirectories(root.resolve("www"));
            exec(List.of("/bin/sh", "-c", "tar -C '" + root + "' -c . | " + BINARY + " import - " + IMAGE));
            imageBuilt = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean exists(String image) {
        try {
            run("image", "inspect", "--format", "{{.Id}}", image);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** A fresh container name: {@code cairn-it-<what>-<random>}. */
    static String name(String what) {
        return PREFIX + what + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    }

    /**
     * Starts (detached) a busybox httpd on port 80 answering {@code body} at {@code /} and at
     * {@code /<path>/}, with the given extra {@code docker run} arguments (ports, env, labels).
     */
    static String startHttpd(String name, String pathDir, String body, String... runArgs) {
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", name));
        cmd.addAll(List.of(runArgs));
        String dir = "/www/" + pathDir;
        cmd.addAll(List.of(IMAGE, "/bin/sh", "-c", "mkdir -p " + dir + " && echo -n " + body + " > /www/index.html"
                + " && cp /www/index.html " + dir + "/index.html && exec httpd -f -p 80 -h /www"));
        return run(cmd.toArray(String[]::new));
    }

    /** The host port a container's port is published on ({@code docker port NAME 80/tcp}). */
    static int hostPort(String name, String port) {
        String out = run("port", name, port).lines().findFirst().orElseThrow();
        return Integer.parseInt(out.substring(out.lastIndexOf(':') + 1));
    }

    static void stop(String name) {
        run("stop", "-t", "1", name);
    }

    /** Removes (force) every container whose name starts with {@code cairn-it-}. */
    static void removeAll() {
        String ids = run("ps", "-aq", "--filter", "name=^/" + PREFIX);
        if (!ids.isBlank()) {
            List<String> cmd = new ArrayList<>(List.of("rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            run(cmd.toArray(String[]::new));
        }
    }
}
