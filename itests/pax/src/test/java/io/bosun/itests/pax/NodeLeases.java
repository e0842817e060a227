package io.bosun.itests.pax;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The one part of a kubelet that Node objects made by a test need: a Lease per node in
 * {@code kube-node-lease}, renewed every few seconds, so that the node lifecycle controller keeps
 * them Ready (without it they would get the unreachable taint 40 s after it first saw them).
 */
final class NodeLeases implements AutoCloseable {

    private static final String PATH = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
    /** A kubelet renews every 10 s for a 40 s lease; a bit more often here. */
    private static final Duration RENEW = Duration.ofSeconds(5);

    private final ApiClient api;
    private final List<String> nodes;
    private final List<String> problems = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    NodeLeases(ApiClient api, List<String> nodes) {
        this.api = api;
        this.nodes = List.copyOf(nodes);
        for (String node : nodes) {
            send("POST", PATH, "application/json", "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\","
                    + "\"metadata\":{\"name\":\"" + node + "\"},\"spec\":{\"holderIdentity\":\"" + node
                    + "\",\"leaseDurationSeconds\":40,\"renewTime\":\"" + now() + "\"}}", 201);
        }
        thread = Thread.ofVirtual().name("itest-node-leases").start(this::renewUntilClosed);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    private void renewUntilClosed() {
        while (!closed) {
            try {
                Thread.sleep(RENEW.toMillis()); // the heartbeat's period: pacing, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
            for (String node : nodes) {
                if (!closed) {
                    send("PATCH", PATH + "/" + node, "application/merge-patch+json",
                            "{\"spec\":{\"renewTime\":\"" + now() + "\"}}", 200);
                }
            }
        }
    }

    private void send(String method, String path, String type, String body, int expected) {
        try {
            HttpResponse<String> response = api.send(method, path, type, body);
            if (response.statusCode() != expected) {
                problem(method + " " + path + ": " + response.statusCode() + " " + response.body().strip());
            }
        } catch (IOException e) {
            problem(method + " " + path + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void problem(String problem) {
        if (problems.size() < 20) {
            problems.add(problem);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(10));
    }
}
