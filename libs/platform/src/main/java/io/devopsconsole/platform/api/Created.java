package io.devopsconsole.platform.api;

import java.net.URI;
import org.jboss.resteasy.reactive.RestResponse;

/** 201 Created with the new resource's location and representation. */
public final class Created {

    private Created() {}

    public static <T> RestResponse<T> at(String collectionPath, Object id, T entity) {
        return RestResponse.ResponseBuilder.<T>created(URI.create(collectionPath + "/" + id))
                .entity(entity)
                .build();
    }
}
