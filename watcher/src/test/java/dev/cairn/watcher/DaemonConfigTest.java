package dev.cairn.watcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config files ({@code -config}, JSON or YAML) and flags: what they set, and what they refuse. */
class DaemonConfigTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private DaemonConfig load(Path... files) {
        DaemonConfig.Builder b = new DaemonConfig.Builder();
        for (Path f : files) {
            b.file(f);
        }
        return b.build();
    }

    private void assertRefused(String name, String text, String message) throws IOException {
        Path f = file(name, text);
        assertThatThrownBy(() -> load(f)).isInstanceOf(IllegalArgumentException.class).hasMessage(f + ": " + message);
    }

    @Test
    void aJsonFileSetsEverySetting() throws IOException {
        Path f = file("daemon.json", """
                {"wait": "2s:10s", "max_stale": "5s", "block_query_wait": "30s",
                 "retry": {"attempts": 5, "backoff": "100ms", "max_backoff": "10s"},
                 "log_level": "debug", "pid_file": "/run/t.pid", "kill_signal": "SIGTERM", "reload_signal": "SIGUSR1",
                 "consul": {"address": "10.0.0.1:8500", "token": "secret"},
                 "template": [
                   {"source": "in.ctmpl", "destination": "out.conf", "command": "nginx -s reload",
                    "command_timeout": "5s", "check_command": "nginx -t -c $CAIRN_RENDERED", "perms": "0600",
                    "backup": true, "wait": "1s:3s", "create_dest_dirs": false,
                    "left_delimiter": "[[", "right_delimiter": "]]", "error_on_missing_key": true},
                   {"contents": "x={{key:x}}", "destination": "x.conf"}
                 ]}
                """);

        DaemonConfig c = load(f);

        assertThat(c.quiescence()).isEqualTo(new DaemonConfig.Wait(Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThat(c.maxStale()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.blockQueryWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.retry()).isEqualTo(new DaemonConfig.Retry(5, Duration.ofMillis(100), Duration.ofSeconds(10)));
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.pidFile()).isEqualTo(Path.of("/run/t.pid"));
        assertThat(c.killSignal()).isEqualTo("TERM");
        assertThat(c.reloadSignal()).isEqualTo("USR1");
        assertThat(c.consulAddress()).isEqualTo("10.0.0.1:8500");
        assertThat(c.consulToken()).isEqualTo("secret");
        assertThat(c.templates()).containsExactly(
                new TemplateConfig(Path.of("in.ctmpl"), null, Path.of("out.conf"), "nginx -s reload", Duration.ofSeconds(5),
                        "nginx -t -c $CAIRN_RENDERED", 0600, true,
                        new DaemonConfig.Wait(Duration.ofSeconds(1), Duration.ofSeconds(3)), false, "[[", "]]", true),
                new TemplateConfig(null, "x={{key:x}}", Path.of("x.conf"), "", Duration.ofSeconds(30), "", null, false,
                        null, true, "{{", "}}", false));
        assertThat(c.templates().get(1).name()).isEqualTo("<contents of x.conf>");
    }

    @Test
    void theDefaultsAreConsulTemplates() throws IOException {
        DaemonConfig c = load(file("min.json", "{\"template\": {\"source\": \"a\", \"destination\": \"b\"}}"));
        assertThat(c.quiescence()).isEqualTo(DaemonConfig.Wait.OFF);
        assertThat(c.maxStale()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.blockQueryWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.retry()).isEqualTo(new DaemonConfig.Retry(0, Duration.ofMillis(250), Duration.ofMinutes(1)));
        assertThat(c.killSignal()).isEqualTo("INT");
        assertThat(c.reloadSignal()).isEqualTo("HUP");
        assertThat(c.newFilePerms()).isEqualTo(0644);
        assertThat(c.templates().get(0).commandTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.templates().get(0).createDestDirs()).isTrue();
    }

    @Test
    void yamlReadsTheSameAndAnOctalModeIsAMode() throws IOException {
        DaemonConfig c = load(file("daemon.yaml", """
                wait: 1s
                retry: {attempts: 3}
                template:
                  - source: in.ctmpl
                    destination: out.conf
                    perms: 0640
                    wait: {min: 1s, max: 2s}
                """));
        assertThat(c.quiescence()).as("MIN alone: max is 4 x min").isEqualTo(
                new DaemonConfig.Wait(Duration.ofSeconds(1), Duration.ofSeconds(4)));
        assertThat(c.retry()).as("unset retry keys keep their defaults")
                .isEqualTo(new DaemonConfig.Retry(3, Duration.ofMillis(250), Duration.ofMinutes(1)));
        assertThat(c.templates().get(0).perms()).isEqualTo(0640);
        assertThat(c.templates().get(0).quiescence()).isEqualTo(
                new DaemonConfig.Wait(Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    @Test
    void laterFilesWinTemplatesAddUpAndFlagsWinOverFiles() throws IOException {
        Path a = file("a.json", "{\"max_stale\": \"1s\", \"log_level\": \"warn\", \"template\": [{\"source\": \"a\", \"destination\": \"a.out\"}]}");
        Path b = file("b.yml", "max_stale: 3s\ntemplate:\n  - {source: b, destination: b.out}\n");

        DaemonConfig c = new DaemonConfig.Builder().file(a).file(b)
                .template(TemplateSpec.parse("c:c.out:echo hi"))
                .logLevel("ERROR")
                .quiescence(DaemonConfig.Wait.parse("5s:6s"))
                .commandTimeout(Duration.ofSeconds(7))
                .build();

        assertThat(c.maxStale()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.logLevel()).isEqualTo("err");
        assertThat(c.quiescence()).isEqualTo(new DaemonConfig.Wait(Duration.ofSeconds(5), Duration.ofSeconds(6)));
        assertThat(c.templates()).extracting(TemplateConfig::toString).containsExactly("a:a.out", "b:b.out", "c:c.out:echo hi");
        assertThat(c.templates()).extracting(TemplateConfig::commandTimeout).containsOnly(Duration.ofSeconds(7));
    }

    @Test
    void unknownKeysAreErrorsNamingFileAndKey() throws IOException {
        assertRefused("u1.json", "{\"wiat\": \"1s\"}", "unknown key \"wiat\"");
        assertRefused("u2.json", "{\"template\": [{\"source\": \"a\", \"destination\": \"b\", \"comand\": \"x\"}]}",
                "unknown key \"template[0].comand\"");
        assertRefused("u3.yaml", "consul:\n  adress: x\n", "unknown key \"consul.adress\"");
        assertRefused("u4.json", "{\"retry\": {\"tries\": 3}}", "unknown key \"retry.tries\"");
    }

    @Test
    void badValuesAreErrorsNamingFileAndKey() throws IOException {
        assertRefused("d.json", "{\"max_stale\": \"2 seconds\"}",
                "max_stale: \"2 seconds\" has an unknown unit \" seconds\" (use ns, us, ms, s, m or h)");
        assertRefused("n.json", "{\"max_stale\": 2}", "max_stale: expected a duration such as \"2s\", not 2");
        assertRefused("w.json", "{\"wait\": \"10s:2s\"}",
                "wait: min 10s is more than max 2s (expected MIN:MAX such as \"2s:10s\")");
        assertRefused("tw.json", "{\"template\": [{\"source\": \"a\", \"destination\": \"b\", \"wait\": \"5s:1s\"}]}",
                "template[0].wait: min 5s is more than max 1s (expected MIN:MAX such as \"2s:10s\")");
        assertRefused("nd.json", "{\"template\": [{\"source\": \"a\"}]}", "template[0]: missing destination");
        assertRefused("both.json", "{\"template\": [{\"source\": \"a\", \"contents\": \"x\", \"destination\": \"b\"}]}",
                "template[0]: has both source and contents: give one");
        assertRefused("none.json", "{\"template\": [{\"destination\": \"b\"}]}",
                "template[0]: needs a source (a template file) or contents");
        assertRefused("p.json", "{\"template\": [{\"source\": \"a\", \"destination\": \"b\", \"perms\": \"rw-r--r--\"}]}",
                "template[0].perms: expected an octal mode such as \"0644\", not \"rw-r--r--\"");
        assertRefused("b.json", "{\"template\": [{\"source\": \"a\", \"destination\": \"b\", \"backup\": \"yes\"}]}",
                "template[0].backup: expected true or false, not \"yes\"");
        assertRefused("r.json", "{\"retry\": {\"attempts\": -1}}",
                "retry.attempts: expected a whole number, 0 for forever, not -1");
        assertRefused("l.json", "{\"log_level\": \"loud\"}",
                "log_level: unknown log level \"loud\" (use trace, debug, info, warn or err)");
        assertRefused("s.json", "{\"reload_signal\": \"SIGKILL\"}",
                "reload_signal: unknown or unusable signal \"SIGKILL\" (use SIGHUP, SIGINT, SIGTERM, SIGUSR1 or SIGUSR2)");
        assertRefused("dl.json", "{\"template\": [{\"source\": \"a\", \"destination\": \"b\", \"left_delimiter\": \"<%\"}]}",
                "template[0]: give left_delimiter and right_delimiter together");
        Path dup = file("dup.json", "{\"max_stale\": \"1s\", \"max_stale\": \"2s\"}");
        assertThatThrownBy(() -> load(dup)).hasMessage(dup + ":1: not valid JSON: Duplicate field 'max_stale'");
    }

    @Test
    void unreadableFilesAreErrorsToo() throws IOException {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> load(missing)).hasMessage(missing + ": no such config file");
        Path hcl = file("daemon.hcl", "wait = \"1s\"");
        assertThatThrownBy(() -> load(hcl)).hasMessage(hcl + ": unknown config format: name it .json, .yaml or .yml");
        Path broken = file("broken.json", "{\n\"wait\": \n");
        assertThatThrownBy(() -> load(broken)).hasMessageStartingWith(broken + ":3: not valid JSON: ");
        Path list = file("list.yaml", "- a\n- b\n");
        assertThatThrownBy(() -> load(list)).hasMessage(list + ": expected an object of settings at the top");
    }

    @Test
    void aConfigWithoutTemplatesIsRefused() throws IOException {
        Path f = file("empty.json", "{\"wait\": \"1s\"}");
        assertThatThrownBy(() -> load(f)).hasMessageStartingWith("no template given");
    }

    @Test
    void waitAndDurationsParseAsGoWritesThem() {
        assertThat(DaemonConfig.Wait.parse("0")).isEqualTo(DaemonConfig.Wait.OFF);
        assertThat(DaemonConfig.Wait.parse("250ms:1m30s")).isEqualTo(
                new DaemonConfig.Wait(Duration.ofMillis(250), Duration.ofSeconds(90)));
        assertThat(DurationText.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThatThrownBy(() -> DurationText.parse("-1s")).hasMessage("\"-1s\" is negative");
    }

    @Test
    void backoffDoublesUpToTheMaximumWithJitter() {
        DaemonConfig.Retry r = new DaemonConfig.Retry(0, Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 50; i++) {
            assertThat(WatchManager.backoff(r, 1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(WatchManager.backoff(r, 3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(WatchManager.backoff(r, 40)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        }
    }

    @Test
    void execAndStatusAddrAreReadFromAFile() throws IOException {
        Path f = file("exec.yaml", """
                exec:
                  command: my-app --config out.conf
                  reload_signal: SIGHUP
                  kill_signal: SIGINT
                  kill_timeout: 5s
                status_addr: 127.0.0.1:8900
                template:
                  - contents: x
                    destination: x.conf
                """);

        DaemonConfig c = load(f);

        assertThat(c.exec()).isEqualTo(new DaemonConfig.Exec(List.of("/bin/sh", "-c", "my-app --config out.conf"), "HUP",
                "INT", Duration.ofSeconds(5)));
        assertThat(c.statusAddr()).isEqualTo("127.0.0.1:8900");

        Path argv = file("argv.json", "{\"exec\": {\"command\": [\"my-app\", \"-v\"]}, "
                + "\"template\": {\"contents\": \"x\", \"destination\": \"x.conf\"}}");
        assertThat(load(argv).exec()).as("defaults: restart on change, SIGTERM, 30s")
                .isEqualTo(new DaemonConfig.Exec(List.of("my-app", "-v"), null, "TERM", Duration.ofSeconds(30)));
        assertThat(load(file("none.json", "{\"template\": {\"contents\": \"x\", \"destination\": \"x\"}}"))
                .exec()).isNull();
    }

    @Test
    void aBadExecBlockIsRefusedNamingTheKey() throws IOException {
        assertRefused("e1.json", "{\"exec\": {\"reload_signal\": \"SIGHUP\"}}", "exec: missing command");
        assertRefused("e2.json", "{\"exec\": {\"command\": \"x\", \"kill_signal\": \"SIGWINCH\"}}",
                "exec.kill_signal: unknown or unusable signal \"SIGWINCH\" (use SIGHUP, SIGINT, SIGTERM, SIGUSR1 or SIGUSR2)");
        assertRefused("e3.json", "{\"exec\": {\"command\": \"x\", \"splay\": \"1s\"}}",
                "unknown key \"exec.splay\"");
        assertRefused("e4.json", "{\"status_addr\": \"8900\"}",
                "status_addr: status address \"8900\" is not HOST:PORT (e.g. 127.0.0.1:8900)");
    }
}
