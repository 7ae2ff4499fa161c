package dev.cairn.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a fixed list of HTTP/1.1 requests, each exactly once, over a few keep-alive connections
 * (one thread each, plain blocking sockets) and checks that every answer is 2xx. Used to write
 * the key space before measuring; java.net.http managed under 1,000 requests/s here, which made
 * this step take longer than the measurements.
 */
final class Preload {

    private Preload() {
    }

    static void run(int port, List<byte[]> requests, int connections, long timeoutSeconds) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                done.add(pool.submit(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.setTcpNoDelay(true);
                        s.setSoTimeout(30_000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                            out.write(requests.get(i));
                            out.flush();
                            int status = readResponse(in);
                            if (status < 200 || status > 299) {
                                throw new IllegalStateException("preload request " + i + " answered HTTP " + status);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get(timeoutSeconds, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Every key of the benchmarks' key space written once ({@code bench/key-000000}...), the same
     * requests kv.lua sends: Cairn's {@code PUT /v1/kv/<key>} or etcd's JSON gateway {@code POST /v3/kv/put}.
     */
    static List<byte[]> kvPuts(boolean etcd, int keys, int valueBytes) {
        byte[] value = "v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
        Base64.Encoder b64 = Base64.getEncoder();
        List<byte[]> requests = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = String.format(Locale.ROOT, "bench/key-%06d", k);
            if (!etcd) {
                requests.add(request("PUT", "/v1/kv/" + key, null, value));
            } else {
                String body = "{\"key\":\"" + b64.encodeToString(key.getBytes(StandardCharsets.US_ASCII))
                        + "\",\"value\":\"" + b64.encodeToString(value) + "\"}";
                requests.add(request("POST", "/v3/kv/put", "application/json", body.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return requests;
    }

    static byte[] request(String method, String path, String contentType, byte[] body) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Reads one response with a Content-Length body (both servers send one); returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(h.substring(colon + 1).trim());
            }
        }
        in.skipNBytes(length);
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }
}
