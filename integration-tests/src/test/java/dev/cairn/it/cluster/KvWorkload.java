package dev.cairn.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Several client threads reading, writing and compare-and-setting a few KV registers through
 * different servers, recording every operation in a {@link History} for
 * {@link LinearizabilityChecker}; plus inserts of fresh keys, whose acknowledged values a test can
 * look for afterwards ("every acknowledged write is still there").
 *
 * <p>Each client sends to one server and moves to the next after an error (and a 100 ms pause), as
 * real clients do.
 * Each client runs at most {@code opsPerClient} operations and stops at {@code maxDuration} or
 * {@link #stop()}, whichever comes first.
 *
 * <p>Operations on register key k (values are unique, so a value names one write):
 * <ul>
 *   <li>read: {@code GET /v1/kv/k}, half of them with {@code ?consistent} (both must be
 *       linearizable on any server); 200 -> the value, 404 -> absent;</li>
 *   <li>write: {@code PUT /v1/kv/k} with a fresh value; {@code true} -> acknowledged;</li>
 *   <li>CAS: a read (recorded as such) then {@code PUT /v1/kv/k?cas=<ModifyIndex seen, 0 if
 *       absent>}. With unique values, "the key's ModifyIndex is still m" is "the key still holds the
 *       value read at m", so it is recorded as CAS(value read -> fresh value).</li>
 * </ul>
 * Outcomes: a refused or timed-out connection never sent anything (FAIL); a 4xx had no effect
 * (FAIL); a 5xx (say "No cluster leader"), a request timeout or a broken connection may have been
 * applied (UNKNOWN). Unknown reads are dropped by the checker.
 */
final class KvWorkload {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BACKOFF = Duration.ofMillis(100);

    /** What a run produced. */
    record Result(History history, Map<String, String> acknowledgedInserts, Map<String, Integer> outcomes,
                  List<String> writeErrors) {

        /** The 5xx answers to writes sent to the server on {@code port}, as "STATUS BODY". */
        List<String> writeErrorsFrom(int port) {
            String prefix = port + " ";
            return writeErrors.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length())).toList();
        }

        @Override
        public String toString() {
            return history + ", " + acknowledgedInserts.size() + " inserts acknowledged, answers " + outcomes;
        }
    }

    private final List<URI> servers;
    private final List<String> keys;
    private final String insertPrefix;
    private final int clients;
    private final int opsPerClient;
    private final Duration maxDuration;
    private final Duration requestTimeout;
    private final History history = new History();
    private final Map<String, String> acknowledgedInserts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    /** "PORT STATUS BODY" of every 5xx answer to a write. */
    private final List<String> writeErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final List<Thread> threads = new ArrayList<>();
    private CountDownLatch done;

    /**
     * @param httpPorts    the servers' HTTP ports on 127.0.0.1; client i starts on server i mod n
     * @param keys         the register keys
     * @param insertPrefix prefix of the fresh keys inserted (1 operation in 10)
     */
    KvWorkload(List<Integer> httpPorts, List<String> keys, String insertPrefix, int clients, int opsPerClient,
               Duration maxDuration, Duration requestTimeout) {
        if (httpPorts.isEmpty() || keys.isEmpty() || clients < 1 || opsPerClient < 1) {
            throw new IllegalArgumentException("need servers, keys, clients and ops: " + httpPorts + " " + keys
                    + " clients=" + clients + " ops=" + opsPerClient);
        }
        this.servers = httpPorts.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toList();
        this.keys = List.copyOf(keys);
        this.insertPrefix = insertPrefix;
        this.clients = clients;
        this.opsPerClient = opsPerClient;
        this.maxDuration = maxDuration;
        this.requestTimeout = requestTimeout;
    }

    /** Starts the client threads and returns at once. */
    synchronized KvWorkload start() {
        if (done != null) {
            throw new IllegalStateException("already started");
        }
        done = new CountDownLatch(clients);
        long deadline = System.nanoTime() + maxDuration.toNanos();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                try {
                    runClient(client, deadline);
                } finally {
                    done.countDown();
                }
            }, "kv-workload-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Operations completed so far (any outcome). */
    int completed() {
        return completed.get();
    }

    /** Operations answered successfully so far (reads, acknowledged writes, CAS answered true or false). */
    int acknowledged() {
        return acknowledged.get();
    }

    /** Acknowledged inserts so far. */
    int acknowledgedInserts() {
        return acknowledgedInserts.size();
    }

    /** Asks the clients to stop after their current operation. */
    void stop() {
        stopped.set(true);
        stopSignal.countDown();
    }

    /** Waits for every client to finish (their own bounds, or {@link #stop()}), then returns what happened. */
    Result await() {
        try {
            // a client finishes its last request within requestTimeout (twice for a CAS) of the deadline
            long waitMs = maxDuration.toMillis() + 3 * requestTimeout.toMillis() + 5_000;
            if (!done.await(waitMs, TimeUnit.MILLISECONDS)) {
                stop();
                throw new AssertionError("workload clients still running " + waitMs + " ms after starting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Integer> counts = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.intValue()));
        return new Result(history, Map.copyOf(acknowledgedInserts), counts, List.copyOf(writeErrors));
    }

    /**
     * After the run: one default read of every key on every given server, into the same history
     * (so an acknowledged write lost in a failover shows up as a non-linearizable read).
     */
    void finalReads(List<Integer> httpPorts) {
        int process = 1_000;
        for (int port : httpPorts) {
            URI server = URI.create("http://127.0.0.1:" + port);
            for (String key : keys) {
                read(process, server, key);
            }
            process++;
        }
    }

    History history() {
        return history;
    }

    private void runClient(int client, long deadline) {
        Random random = new Random(client * 7919L + System.nanoTime());
        int server = client % servers.size();
        for (int i = 0; i < opsPerClient && !stopped.get() && System.nanoTime() < deadline; i++) {
            URI target = servers.get(server);
            String key = keys.get(random.nextInt(keys.size()));
            String fresh = "c" + client + "-" + i;
            int dice = random.nextInt(100);
            boolean ok;
            if (dice < 10 && insertPrefix != null) {
                ok = insert(target, insertPrefix + "/c" + client + "-" + i, fresh);
            } else if (dice < 45) {
                ok = read(client, target, key + (dice % 2 == 0 ? "?consistent" : "")) != null;
            } else if (dice < 70) {
                ok = write(client, target, key, fresh);
            } else {
                ok = cas(client, target, key, fresh);
            }
            completed.incrementAndGet();
            if (ok) {
                acknowledged.incrementAndGet();
            } else {
                // as a real client: next server, after a short pause (a dead server refuses in microseconds)
                server = (server + 1) % servers.size();
                try {
                    stopSignal.await(BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * A read of {@code key} (optionally followed by a query such as {@code ?consistent}) recorded in
     * the history; returns what was read, or null if it failed.
     */
    private ReadResult read(int process, URI server, String keyAndQuery) {
        int q = keyAndQuery.indexOf('?');
        String key = q < 0 ? keyAndQuery : keyAndQuery.substring(0, q);
        History.Call call = history.invokeRead(process, key);
        try {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(server.resolve("/v1/kv/" + keyAndQuery)).GET());
            count("read " + r.statusCode());
            if (r.statusCode() == 404) {
                call.ok(null);
                return new ReadResult(null, 0);
            }
            if (r.statusCode() == 200) {
                JsonNode entry = JSON.readTree(r.body()).get(0);
                JsonNode v = entry.get("Value");
                String value = v == null || v.isNull() ? ""
                        : new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8);
                call.ok(value);
                return new ReadResult(value, entry.get("ModifyIndex").asLong());
            }
            call.fail();
            return null;
        } catch (ConnectException | HttpConnectTimeoutException e) {
            count("read " + e.getClass().getSimpleName());
            call.fail();
            return null;
        } catch (IOException e) {
            count("read " + e.getClass().getSimpleName());
            call.unknown();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.unknown();
            return null;
        }
    }

    private record ReadResult(String value, long modifyIndex) {
    }

    /** How a PUT was answered. */
    private enum Answer {
        /** 200 {@code true}. */
        TRUE,
        /** 200 {@code false}: not applied (a CAS whose index did not match). */
        FALSE,
        /** Definitely not applied, and nothing learned: a 4xx, or the connection was refused. */
        REJECTED,
        /** Maybe applied: a 5xx (say "No cluster leader"), a timeout, a lost connection. */
        MAYBE
    }

    private boolean write(int process, URI server, String key, String value) {
        History.Call call = history.invokeWrite(process, key, value);
        Answer answer = put(server, "/v1/kv/" + key, value, "write");
        switch (answer) {
            case TRUE -> call.ok();
            case FALSE, REJECTED -> call.fail();
            case MAYBE -> call.unknown();
        }
        return answer == Answer.TRUE;
    }

    private boolean cas(int process, URI server, String key, String value) {
        ReadResult seen = read(process, server, key);
        if (seen == null) {
            return false;
        }
        History.Call call = history.invokeCas(process, key, seen.value(), value);
        Answer answer = put(server, "/v1/kv/" + key + "?cas=" + seen.modifyIndex(), value, "cas");
        switch (answer) {
            case TRUE -> call.okCas(true);
            case FALSE -> call.okCas(false);
            case REJECTED -> call.fail();
            case MAYBE -> call.unknown();
        }
        return answer == Answer.TRUE || answer == Answer.FALSE;
    }

    private boolean insert(URI server, String key, String value) {
        Answer answer = put(server, "/v1/kv/" + key, value, "insert");
        if (answer == Answer.TRUE) {
            acknowledgedInserts.put(key, value);
        }
        return answer == Answer.TRUE;
    }

    private Answer put(URI server, String pathAndQuery, String value, String what) {
        try {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(server.resolve(pathAndQuery))
                    .PUT(HttpRequest.BodyPublishers.ofString(value)));
            String body = new String(r.body(), StandardCharsets.UTF_8).trim();
            count(what + " " + r.statusCode() + (r.statusCode() == 200 ? " " + body : ""));
            if (r.statusCode() == 200) {
                return body.equals("true") ? Answer.TRUE : Answer.FALSE;
            }
            if (r.statusCode() >= 500) {
                writeErrors.add(server.getPort() + " " + r.statusCode() + " " + body);
                return Answer.MAYBE;
            }
            return Answer.REJECTED;
        } catch (ConnectException | HttpConnectTimeoutException e) {
            count(what + " " + e.getClass().getSimpleName());
            return Answer.REJECTED; // nothing was sent
        } catch (IOException e) {
            count(what + " " + e.getClass().getSimpleName());
            return Answer.MAYBE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.MAYBE;
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }
}
