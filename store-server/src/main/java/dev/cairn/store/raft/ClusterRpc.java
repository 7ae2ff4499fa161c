package dev.cairn.store.raft;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ConnectivityState;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

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
 * leader with what is not a log entry (a session renew). Messages are small JSON documents, except
 * {@link #PROPOSE}: a follower's batch of writes for the leader, as one {@code Command.Forwarded}
 * in the log's binary encoding.
 */
final class ClusterRpc implements AutoCloseable {

    static final String HELLO = "Hello";
    static final String JOIN = "Join";
    static final String RENEW = "Renew";
    static final String PROPOSE = "Propose";

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

    /** The service Ratis' gRPC server hosts: each method's handler gets the request's bytes. */
    static ServerServiceDefinition service(Map<String, Handler> handlers) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(SERVICE);
        handlers.forEach((name, handler) -> builder.addMethod(method(name),
                ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> out) -> {
                    CompletableFuture<byte[]> answer;
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
                            out.onNext(value);
                            out.onCompleted();
                        }
                    });
                })));
        return builder.build();
    }

    /** One method's handler: answers a request's bytes asynchronously. */
    interface Handler {
        CompletableFuture<byte[]> handle(byte[] request);

        /** A handler of JSON messages: decodes the request as {@code type}, encodes the answer. */
        static <T> Handler json(Class<T> type, Function<T, CompletableFuture<?>> body) {
            return request -> body.apply(decode(request, type)).thenApply(ClusterRpc::encode);
        }
    }

    /**
     * Calls {@code method} on the server at {@code address}; throws IOException naming the address
     * when it cannot be reached or refuses (with its reason).
     */
    <T> T call(String address, String method, Object request, Class<T> replyType, Duration timeout)
            throws IOException {
        try {
            byte[] reply = ClientCalls.blockingUnaryCall(channel(address), method(method),
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

    /**
     * Calls {@code method} with raw bytes, without blocking. Fails with the gRPC status (as a
     * StatusRuntimeException) when the call fails or the server refuses.
     */
    CompletableFuture<byte[]> callAsync(String address, String method, byte[] request, Duration timeout) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel(address).newCall(method(method),
                        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)),
                request, new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.completeExceptionally(new IOException("server " + address + " answered nothing"));
                    }
                });
        return reply;
    }

    /**
     * Whether the connection to {@code address} is up now (one is opened when it is not). A call
     * on a connection that is not up fails before anything is sent, but so, with the same status,
     * does one whose connection breaks after the request left: callers that must not resend a
     * request that may have been acted on check this first.
     */
    boolean connected(String address) {
        return channel(address).getState(true) == ConnectivityState.READY;
    }

    private ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
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
