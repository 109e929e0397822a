package io.devopsconsole.platform.api;

import java.util.List;
import java.util.function.Function;

/** One page of a list endpoint: {@code page} counts from 0, {@code total} is the filtered count. */
public record PageResponse<T>(List<T> items, int page, int size, long total) {

    public static <E, T> PageResponse<T> of(List<E> rows, Function<E, T> map, int page, int size, long total) {
        return new PageResponse<>(rows.stream().map(map).toList(), page, size, total);
    }
}
