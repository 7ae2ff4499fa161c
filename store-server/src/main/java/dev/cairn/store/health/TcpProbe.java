package dev.cairn.store.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP check: passing when a connection opens within the timeout, critical otherwise. The connect
 * is asynchronous (one small channel group serves every TCP check), so a target that drops packets
 * holds no thread while the timeout runs.
 */
final class TcpProbe implements Probe {

    private final AsynchronousChannelGroup group;
    private final ScheduledExecutorService timer;
    private final String target;
    private final Duration timeout;

    TcpProbe(AsynchronousChannelGroup group, ScheduledExecutorService timer, String target, Duration timeout) {
        this.group = group;
        this.timer = timer;
        this.target = target;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        String prefix = "TCP connect " + target + ": ";
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        AsynchronousSocketChannel channel;
        InetSocketAddress address;
        try {
            address = address(target);
            if (address.isUnresolved()) {
                return CompletableFuture.completedFuture(CheckResult.critical(prefix + "no such host"));
            }
            channel = AsynchronousSocketChannel.open(group);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(CheckResult.critical(prefix + CheckResult.describe(e)));
        }
        ScheduledFuture<?> deadline = timer.schedule(
                () -> result.complete(CheckResult.critical(prefix + "timed out after " + timeout.toMillis() + "ms")),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> {
            deadline.cancel(false);
            close(channel);
        });
        try {
            channel.connect(address, null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void attachment) {
                    result.complete(CheckResult.passing(prefix + "Success"));
                }

                @Override
                public void failed(Throwable error, Void attachment) {
                    result.complete(CheckResult.critical(prefix + CheckResult.describe(error)));
                }
            });
        } catch (RuntimeException e) {
            result.complete(CheckResult.critical(prefix + CheckResult.describe(e)));
        }
        return result;
    }

    /** {@code host:port}, {@code [v6]:port}; the host is resolved here (the caller is a check thread). */
    static InetSocketAddress address(String target) {
        int colon = target.lastIndexOf(':');
        String host = target.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(target.substring(colon + 1));
        return new InetSocketAddress(host, port);
    }

    private static void close(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was sent; a failed close changes no result
        }
    }
}
