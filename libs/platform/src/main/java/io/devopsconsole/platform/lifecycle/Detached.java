package io.devopsconsole.platform.lifecycle;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;

/**
 * Work a client's disconnect must not stop half-way. The work is subscribed on its own at once; the
 * returned Uni only carries its result, so a caller that goes away (a closed browser tab, a cancelled
 * request) loses the answer and nothing else — never a change committed without the step that
 * follows it (a workflow marked executing with no one running it, a proposal confirmed but not run).
 */
public final class Detached {

    private Detached() {}

    public static <T> Uni<T> run(Uni<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        work.subscribe().with(result::complete, result::completeExceptionally);
        return Uni.createFrom().completionStage(result);
    }
}
