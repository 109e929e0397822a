package io.devopsconsole.platform.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the HTTP metrics' series bounded by the routes, not by what callers send: a request
 * refused before routing (401 without a valid token) has no route template, and its raw path would
 * become a new {@code uri} tag value, so anyone could create series without limit by asking for
 * made-up paths. Those requests share one series, {@code uri="UNAUTHENTICATED"}.
 */
@Singleton
public class HttpSeries {

    static final String UNAUTHENTICATED = "UNAUTHENTICATED";

    @Produces
    @Singleton
    public MeterFilter refusedBeforeRoutingShareOneSeries() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("http.server")
                        || !"401".equals(id.getTag("status"))
                        || id.getTag("uri") == null) {
                    return id;
                }
                List<Tag> tags = new ArrayList<>();
                for (Tag tag : id.getTagsAsIterable()) {
                    tags.add(tag.getKey().equals("uri") ? Tag.of("uri", UNAUTHENTICATED) : tag);
                }
                return id.replaceTags(tags);
            }
        };
    }
}
