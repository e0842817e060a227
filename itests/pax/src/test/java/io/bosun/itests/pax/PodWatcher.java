package io.bosun.itests.pax;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Watches the pods of one namespace from a resourceVersion and records, per pod, every
 * {@code spec.nodeName} it was seen with: a pod is bound exactly once when that history is one
 * node, set once and never changed or cleared. Resumes from the last resourceVersion when a stream
 * ends; anything else unusual (a 410, an ERROR event, a pod deleted) is a problem.
 */
final class PodWatcher {

    private static final int MAX_PROBLEMS = 50;

    private final ApiClient api;
    private final String namespace;
    private final HttpClient http = ApiClient.newHttpClient();
    private final Thread thread;
    /** Pod name to the node names it was seen bound to, in order (a correct pod has one). */
    private final Map<String, List<String>> nodes = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private volatile long lastResourceVersion;
    private volatile boolean stopping;
    private int bound;
    private int streams;

    PodWatcher(ApiClient api, String namespace, long fromResourceVersion) {
        this.api = api;
        this.namespace = namespace;
        this.lastResourceVersion = fromResourceVersion;
        this.thread = new Thread(this::watchUntilStopped, "itest-pod-watcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        stopping = true;
        http.shutdownNow();
        thread.join(10_000);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the pod watcher did not stop within 10 s");
        }
    }

    long lastResourceVersion() {
        return lastResourceVersion;
    }

    /** The node the pod was first seen bound to, or null. */
    synchronized String nodeOf(String pod) {
        List<String> seen = nodes.get(pod);
        return seen == null || seen.isEmpty() ? null : seen.get(0);
    }

    /** Pods seen with more than one node name, or with their node name cleared. */
    synchronized Map<String, List<String>> rebound() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        nodes.forEach((pod, seen) -> {
            if (seen.size() > 1) {
                out.put(pod, List.copyOf(seen));
            }
        });
        return out;
    }

    synchronized int boundCount() {
        return bound;
    }

    synchronized int streams() {
        return streams;
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    private void watchUntilStopped() {
        while (!stopping) {
            long from = lastResourceVersion;
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(api.uri("/api/v1/namespaces/"
                        + namespace + "/pods?watch=true&allowWatchBookmarks=true&resourceVersion=" + from))
                        .timeout(ApiClient.REQUEST_TIMEOUT).GET().header("Accept", "application/json").build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    if (response.statusCode() != 200) {
                        problem("watch from " + from + " answered " + response.statusCode() + " "
                                + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
                    } else {
                        synchronized (this) {
                            streams++;
                        }
                        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            if (!line.isBlank()) {
                                accept(line);
                            }
                        }
                        continue;
                    }
                }
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                problem("watch from " + from + ": " + e);
            }
            try {
                Thread.sleep(50); // the client's back-off before reconnecting: pacing
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void accept(String line) throws IOException {
        JsonNode event = ApiClient.parse(line);
        String type = event.path("type").asText();
        JsonNode object = event.path("object");
        switch (type) {
            case "ADDED", "MODIFIED" -> {
                String name = object.path("metadata").path("name").asText();
                String node = object.path("spec").path("nodeName").asText("");
                synchronized (this) {
                    List<String> seen = nodes.computeIfAbsent(name, n -> new ArrayList<>(1));
                    if (seen.isEmpty() && !node.isEmpty()) {
                        bound++;
                    }
                    if (seen.isEmpty() ? !node.isEmpty() : !seen.get(seen.size() - 1).equals(node)) {
                        seen.add(node); // a second entry (another node, or "" for cleared) is the finding
                    }
                }
                lastResourceVersion = ApiClient.resourceVersion(object);
            }
            case "DELETED" -> {
                problem("pod " + object.path("metadata").path("name").asText() + " was deleted");
                lastResourceVersion = ApiClient.resourceVersion(object);
            }
            case "BOOKMARK" -> lastResourceVersion = ApiClient.resourceVersion(object);
            default -> problem("watch event " + type + ": " + object);
        }
    }

    private synchronized void problem(String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
