package io.devopsconsole.registry.access;

import io.devopsconsole.platform.api.PageResponse;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.registry.target.SshTarget;
import io.devopsconsole.registry.target.SshTargetRepository;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

@Path("/api/remote-access/targets")
@Produces(MediaType.APPLICATION_JSON)
public class RemoteAccessResource {

    private final RemoteAccessService service;

    public RemoteAccessResource(RemoteAccessService service) {
        this.service = service;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<PageResponse<RemoteAccessApi.RemoteAccessResponse>> list(
            @QueryParam("environment") SshTarget.Environment environment,
            @QueryParam("site_id") UUID siteId,
            @QueryParam("codex_status") SshTarget.CodexStatus codexStatus,
            @QueryParam("name_prefix") @Size(max = 63) String namePrefix,
            @QueryParam("retired") @DefaultValue("false") Boolean retired,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(200) int size) {
        return service.list(
                new SshTargetRepository.Filter(environment, siteId, codexStatus, namePrefix, retired), page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Uni<RemoteAccessApi.RemoteAccessResponse> get(@PathParam("id") UUID id) {
        return service.get(id);
    }
}
