package io.bosun.itests.pax;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.management.JMException;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JVM's threads, virtual ones included (the API server runs each request on a virtual thread,
 * which {@link Thread#getAllStackTraces()} does not list), from the HotSpot diagnostic MXBean's
 * JSON thread dump. Thread ids are never reused, so a thread seen before a swap is identified by
 * its id after it, even when the new instance names its threads the same.
 */
final class ThreadDump {

    /** One thread of a dump. */
    record Info(long tid, String name, boolean virtual, List<String> stack) {
        @Override
        public String toString() {
            return name + " (tid " + tid + (virtual ? ", virtual" : "") + ")\n        at "
                    + stack.stream().limit(12).collect(Collectors.joining("\n        at "));
        }
    }

    private static final AtomicLong DUMPS = new AtomicLong();

    private ThreadDump() {
    }

    /** The live threads whose name passes {@code name}, by id. */
    static Map<Long, Info> threads(Predicate<String> name) {
        Map<Long, Info> found = new LinkedHashMap<>();
        for (JsonNode container : dump().path("threadDump").path("threadContainers")) {
            for (JsonNode thread : container.path("threads")) {
                String threadName = thread.path("name").asText();
                if (name.test(threadName)) {
                    List<String> stack = new ArrayList<>();
                    thread.path("stack").forEach(frame -> stack.add(frame.asText()));
                    long tid = Long.parseLong(thread.path("tid").asText());
                    found.put(tid, new Info(tid, threadName, thread.path("virtual").asBoolean(), stack));
                }
            }
        }
        return found;
    }

    static Map<Long, Info> named(String... prefixes) {
        return threads(n -> Arrays.stream(prefixes).anyMatch(n::startsWith));
    }

    /** Null once none of {@code old} is alive any more, else those that are, with their stacks: for {@link Await}. */
    static String stillAlive(String what, Collection<Info> old) {
        Map<Long, Info> now = threads(n -> true);
        List<String> alive = old.stream().filter(t -> now.containsKey(t.tid())).map(t -> now.get(t.tid()).toString())
                .toList();
        return alive.isEmpty() ? null
                : alive.size() + " thread(s) of " + what + " still alive:\n    " + String.join("\n    ", alive);
    }

    private static JsonNode dump() {
        try {
            Path dir = Files.createTempDirectory("bosun-itest-threads");
            Path file = dir.resolve("dump-" + DUMPS.incrementAndGet() + ".json");
            try {
                ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpThreads",
                        new Object[] {file.toString(), "JSON"},
                        new String[] {String.class.getName(), String.class.getName()});
                return ApiClient.parse(Files.readString(file));
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException | JMException e) {
            throw new AssertionError("cannot dump the JVM's threads: " + e, e);
        }
    }
}
