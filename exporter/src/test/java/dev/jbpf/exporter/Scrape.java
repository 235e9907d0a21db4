package dev.jbpf.exporter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A scrape of /metrics over HTTP, parsed from the Prometheus text format into series and values. */
record Scrape(String text, Map<String, Double> values) {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(int port, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Scrape of(int port) {
        HttpResponse<String> response = get(port, "/metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
    }

    static Scrape parse(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            values.put(canonical(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(text, values);
    }

    /** {@code name{a="1",b="2"}} with the labels sorted, the way {@link #series} writes them. */
    private static String canonical(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) {
            return series;
        }
        Map<String, String> labels = new TreeMap<>();
        String body = series.substring(brace + 1, series.length() - 1);
        int i = 0;
        while (i < body.length()) {
            int equals = body.indexOf('=', i);
            int end = body.indexOf('"', equals + 2);
            while (body.charAt(end - 1) == '\\') {
                end = body.indexOf('"', end + 1);
            }
            labels.put(body.substring(i, equals), body.substring(equals + 2, end));
            i = end + 2;
        }
        return series(series.substring(0, brace), labels);
    }

    static String series(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder text = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> text.append(k).append("=\"").append(v).append("\","));
        text.setLength(text.length() - 1);
        return text.append('}').toString();
    }

    static String series(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return series(name, labels);
    }

    /** The value of a series, 0 when absent (a counter that has not moved yet). */
    double value(String series) {
        return values.getOrDefault(series, 0.0);
    }

    /** The value, failing when the series is absent. */
    double required(String series) {
        Double value = values.get(series);
        if (value == null) {
            throw new AssertionError("no series " + series + " in the scrape:\n" + text);
        }
        return value;
    }

    List<String> seriesOf(String name) {
        return values.keySet().stream().filter(s -> s.equals(name) || s.startsWith(name + "{")).toList();
    }
}
