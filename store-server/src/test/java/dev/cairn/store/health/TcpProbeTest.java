package dev.cairn.store.health;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.channels.AsynchronousChannelGroup;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** TCP checks: a connection that opens is passing, one that does not is critical. */
class TcpProbeTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AsynchronousChannelGroup group;

    TcpProbeTest() throws Exception {
        group = AsynchronousChannelGroup.withFixedThreadPool(1, Executors.defaultThreadFactory());
    }

    @AfterEach
    void stop() throws Exception {
        timer.shutdownNow();
        group.shutdownNow();
    }

    private CheckResult probe(String target) throws Exception {
        return new TcpProbe(group, timer, target, Duration.ofSeconds(5)).run().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anOpenPortIsPassing() throws Exception {
        try (ServerSocket up = new ServerSocket(0)) {
            String target = "127.0.0.1:" + up.getLocalPort();

            assertThat(probe(target)).isEqualTo(CheckResult.passing("TCP connect " + target + ": Success"));
        }
    }

    @Test
    void aClosedPortIsCriticalWithTheError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String target = "127.0.0.1:" + port;

        assertThat(probe(target)).isEqualTo(CheckResult.critical("TCP connect " + target + ": Connection refused"));
    }

    @Test
    void anUnknownHostIsCritical() throws Exception {
        CheckResult r = probe("no-such-host.invalid:80");

        assertThat(r).isEqualTo(CheckResult.critical("TCP connect no-such-host.invalid:80: no such host"));
    }
}
