package io.paraflow.monitor.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless chromium driven through the DevTools protocol over its WebSocket: a test opens a page, evaluates
 * JavaScript in it, waits for a condition on the rendered page and takes screenshots, without fixed sleeps.
 * One page per instance; {@link #close()} stops chromium and its child processes.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long GUARD_SECONDS = 60;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Process process;
    private final Path log;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<Integer, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final WebSocket socket;

    /** Starts chromium with a fresh profile in {@code dir}, 1280 × 1100 pixels, on a blank page. */
    HeadlessChromium(Path dir) throws Exception {
        Path profile = Files.createTempDirectory(dir, "profile");
        log = Files.createTempFile(dir, "chromium", ".log");
        process = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1280,1100", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // chromium writes the port it chose, once it listens, in its profile
            Path activePort = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (!Files.exists(activePort) || Files.readAllLines(activePort).size() < 2) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("chromium did not open its DevTools port; its log:\n" + Files.readString(log));
                }
                Thread.sleep(20);
            }
            int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
            JsonNode targets = mapper.readTree(client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            String page = null;
            for (JsonNode target : targets) {
                if (target.path("type").asText().equals("page")) {
                    page = target.path("webSocketDebuggerUrl").asText();
                }
            }
            if (page == null) {
                throw new AssertionError("chromium has no page to drive: " + targets);
            }
            socket = client.newWebSocketBuilder().buildAsync(URI.create(page), new Answers())
                    .get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            stop();
            throw e;
        }
    }

    /** Reassembles the protocol's messages and completes the call each one answers. */
    private final class Answers implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    JsonNode answer = mapper.readTree(message.toString());
                    CompletableFuture<JsonNode> call = answer.has("id") ? answers.remove(answer.path("id").asInt()) : null;
                    if (call != null) {
                        call.complete(answer);
                    }
                } catch (Exception e) {
                    answers.values().forEach(call -> call.completeExceptionally(e));
                }
                message.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Calls the protocol's {@code method} and returns its result; fails on an error or after the guard time. */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        answers.put(id, answer);
        ObjectNode request = mapper.createObjectNode().put("id", id).put("method", method);
        request.set("params", params);
        socket.sendText(mapper.writeValueAsString(request), true).get(GUARD_SECONDS, TimeUnit.SECONDS);
        JsonNode result;
        try {
            result = answer.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("hang guard: chromium did not answer " + request + "; its log:\n" + Files.readString(log));
        }
        if (result.has("error")) {
            throw new AssertionError(method + " failed: " + result.path("error"));
        }
        return result.path("result");
    }

    /** Opens {@code uri} in the page and waits until it is loaded. */
    void open(URI uri) throws Exception {
        call("Page.navigate", mapper.createObjectNode().put("url", uri.toString()));
        await("location.href === " + mapper.writeValueAsString(uri.toString()) + " && document.readyState === 'complete'",
                "the page " + uri + " loaded");
    }

    /** The value of the JavaScript {@code expression} in the page (awaited if a promise); fails if it throws. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", mapper.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError(expression + " threw: " + result.path("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Waits until {@code expression} is true in the page (an expression that throws, say on an element not
     * there yet, is not); fails after the guard time, saying what it was waiting for and what it got.
     */
    void await(String expression, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        JsonNode value;
        while (!(value = evaluate("(() => { try { return Boolean(" + expression + "); } catch (e) { return String(e); } })()"))
                .asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("hang guard: the page never showed " + what + " (" + expression + " was " + value
                        + "); its text:\n" + evaluate("document.body ? document.body.innerText : ''").asText());
            }
            Thread.sleep(50);
        }
    }

    /** The text of the element {@code id}, as rendered. */
    String text(String id) throws Exception {
        return evaluate("document.getElementById('" + id + "').innerText").asText();
    }

    /** Saves a PNG of the page as it is shown to the new or replaced {@code file}. */
    void screenshot(Path file) throws Exception {
        String data = call("Page.captureScreenshot", mapper.createObjectNode().put("format", "png")).path("data").asText();
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() {
        socket.abort();
        stop();
    }

    private void stop() {
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
