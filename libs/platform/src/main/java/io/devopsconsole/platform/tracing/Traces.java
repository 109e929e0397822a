package io.devopsconsole.platform.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Trace context across the outbox and Kafka (ADR 0023): an event recorded while a span is current
 * carries its W3C context as the CloudEvents distributed-tracing attribute {@code traceparent}
 * ({@code ce_traceparent} on Kafka, and the plain W3C {@code traceparent} header that standard
 * instrumentation reads); whoever publishes or consumes it continues that trace. Everything here is a
 * no-op while tracing is off ({@code quarkus.otel.sdk.disabled=true}, the default).
 */
public final class Traces {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final Tracer NOOP = OpenTelemetry.noop().getTracer("io.devopsconsole");
    private static volatile Tracer tracer;

    private Traces() {}

    /** The application's tracer (a no-op one outside a Quarkus application or while tracing is off). */
    public static Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = NOOP;
            if (Arc.container() != null) {
                try (InstanceHandle<OpenTelemetry> otel = Arc.container().instance(OpenTelemetry.class)) {
                    if (otel.isAvailable()) {
                        t = otel.get().getTracer("io.devopsconsole");
                    }
                }
            }
            tracer = t;
        }
        return t;
    }

    /** {@code extensions} plus the current span's {@code traceparent} (and {@code tracestate}), when one is current. */
    public static Map<String, String> withCurrentContext(Map<String, String> extensions) {
        if (!Span.current().getSpanContext().isValid()) {
            return extensions;
        }
        Map<String, String> out = new LinkedHashMap<>(extensions == null ? Map.of() : extensions);
        W3C.inject(Context.current(), out, (carrier, key, value) -> carrier.put(key, value));
        return out;
    }

    /** The context carried by CloudEvent extensions ({@code traceparent}), or the root context. */
    public static Context fromExtensions(Map<String, String> extensions) {
        if (extensions == null || !extensions.containsKey(TRACEPARENT)) {
            return Context.root();
        }
        return W3C.extract(Context.root(), extensions, MAP);
    }

    /** The context a Kafka record carries: its W3C {@code traceparent} header, else {@code ce_traceparent}. */
    public static Context fromHeaders(Headers headers) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String name : List.of(TRACEPARENT, TRACESTATE)) {
            Header h = headers.lastHeader(name);
            if (h == null) {
                h = headers.lastHeader("ce_" + name);
            }
            if (h != null && h.value() != null) {
                found.put(name, new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return found.isEmpty() ? Context.root() : W3C.extract(Context.root(), found, MAP);
    }

    /** Writes {@code context} onto a record as {@code traceparent} and {@code ce_traceparent} (and tracestate). */
    public static void toHeaders(Context context, Headers headers) {
        Map<String, String> w3c = new LinkedHashMap<>();
        W3C.inject(context, w3c, (carrier, key, value) -> carrier.put(key, value));
        w3c.forEach((k, v) -> {
            headers.remove(k);
            headers.remove("ce_" + k);
            headers.add(k, v.getBytes(StandardCharsets.UTF_8));
            headers.add("ce_" + k, v.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** A span continuing {@code parent} (started now; the caller ends it), or an invalid one when there is no trace. */
    public static Span start(String name, SpanKind kind, Context parent) {
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        return tracer().spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}
