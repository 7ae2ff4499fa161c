package dev.cairn.store.raft;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Cairn's own calls between servers, served on the Raft port beside Ratis' services (a gRPC
 * service added to Ratis' Netty server), so {@code -join host:raft-port} reaches them with no
 * extra port. Ratis needs to know a server's id before it can talk to it; these calls are how
 * servers that know only addresses find each other's ids, join a running cluster, and reach the
 * leader with what is not a log entry (a session renew). Messages are small JSON documents.
 */
final class ClusterRpc implements AutoCloseable {

    static final String HELLO = "Hello";
    static final String JOIN = "Join";
    static final String RENEW = "Renew";

    /** A server introducing itself; {@code expect} is its -bootstrap-expect (0 when only joining). */
    record Hello(RaftNode.Peer from, int expect) {
    }

    /** Who answered, whom it knows, and the cluster's members if it belongs to one (else null). */
    record HelloReply(RaftNode.Peer self, List<RaftNode.Peer> known, List<RaftNode.Peer> members) {
    }

    record Join(RaftNode.Peer peer) {
    }

    record Renew(String session) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "cairn.Cluster";

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** The service Ratis' gRPC server hosts: each method's handler gets the decoded request. */
    static ServerServiceDefinition service(Map<String, Handler<?>> handlers) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(SERVICE);
        handlers.forEach((name, handler) -> builder.addMethod(method(name),
                ServerCalls.asyncUnaryCall((byte[] request, org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver<byte[]> out) -> {
                    CompletableFuture<?> answer;
                    try {
                        answer = handler.handle(request);
                    } catch (RuntimeException e) {
                        answer = CompletableFuture.failedFuture(e);
                    }
                    answer.whenComplete((value, error) -> {
                        if (error != null) {
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            out.onError(Status.FAILED_PRECONDITION.withDescription(String.valueOf(cause.getMessage()))
                                    .asRuntimeException());
                        } else {
                            out.onNext(encode(value));
                            out.onCompleted();
                        }
                    });
                })));
        return builder.build();
    }

    /** One method's handler: decodes the request as {@code type} and answers asynchronously. */
    record Handler<T>(Class<T> type, Function<T, CompletableFuture<?>> body) {
        CompletableFuture<?> handle(byte[] request) {
            return body.apply(decode(request, type));
        }
    }

    /**
     * Calls {@code method} on the server at {@code address}; throws IOException naming the address
     * when it cannot be reached or refuses (with its reason).
     */
    <T> T call(String address, String method, Object request, Class<T> replyType, Duration timeout)
            throws IOException {
        ManagedChannel channel = channels.computeIfAbsent(address,
                a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
        try {
            byte[] reply = ClientCalls.blockingUnaryCall(channel, method(method),
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), encode(request));
            return decode(reply, replyType);
        } catch (StatusRuntimeException e) {
            String why = e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                    ? e.getStatus().getDescription()
                    : e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : " (" + e.getStatus().getDescription() + ")");
            throw new IOException("server " + address + ": " + why, e);
        }
    }

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    private static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed cluster message: " + e.getMessage(), e);
        }
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
