package io.devopsconsole.session.attachment;

import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.platform.text.RawBody;
import io.devopsconsole.session.stream.KnownSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Files attached to a session (ADR 0030): the body is the file itself, {@code Content-Type} its media
 * type, {@code ?name=} its file name. Listed with their state on the target; the content is given back
 * only as a download ({@code application/octet-stream}, never shown inline).
 */
@Path("/api/sessions/{id}/attachments")
@Produces(MediaType.APPLICATION_JSON)
@KnownSession
public class AttachmentResource {

    /** The session's attachments, oldest first. */
    public record Page(List<Attachments.AttachmentView> items) {}

    private final Attachments attachments;

    public AttachmentResource(Attachments attachments) {
        this.attachments = attachments;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @Operation(
            summary = "Attach a file to a live session",
            description = "The body is the file; Content-Type its media type (an accepted one, checked against the"
                    + " content); name its file name. Stored, audited, noted in the transcript and put into the"
                    + " session's working directory on the worker's host (.devops-console/attachments/NAME) by the"
                    + " runner, which reports it on the stream.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "*/*",
                            schema =
                                    @Schema(
                                            type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING,
                                            format = "binary")))
    @APIResponseSchema(
            value = Attachments.AttachmentView.class,
            responseCode = "201",
            responseDescription = "Stored and handed to the runner (state sent).")
    public Uni<RestResponse<Attachments.AttachmentView>> attach(
            @PathParam("id") UUID id,
            @QueryParam("name") String name,
            @HeaderParam("Content-Type") String contentType,
            @RawBody byte[] content) {
        return attachments
                .attach(id, name, contentType, content)
                .map(a -> RestResponse.status(RestResponse.Status.CREATED, a));
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(value = Page.class, responseCode = "200", responseDescription = "The session's attachments.")
    public Uni<Page> list(@PathParam("id") UUID id) {
        return attachments.list(id).map(Page::new);
    }

    @GET
    @Path("/{attachmentId}")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @APIResponseSchema(
            value = Attachments.AttachmentView.class,
            responseCode = "200",
            responseDescription = "The attachment.")
    @APIResponse(responseCode = "404", description = "No such attachment in this session.")
    public Uni<Attachments.AttachmentView> get(@PathParam("id") UUID id, @PathParam("attachmentId") UUID attachmentId) {
        return attachments.get(id, attachmentId);
    }

    @GET
    @Path("/{attachmentId}/content")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    @Operation(summary = "The attached file, as a download")
    @APIResponse(
            responseCode = "200",
            description = "The file byte for byte, as a download.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_OCTET_STREAM,
                            schema =
                                    @Schema(
                                            type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING,
                                            format = "binary")))
    @APIResponse(responseCode = "404", description = "No such attachment in this session.")
    public Uni<RestResponse<byte[]>> content(@PathParam("id") UUID id, @PathParam("attachmentId") UUID attachmentId) {
        return attachments
                .content(id, attachmentId)
                .map(c -> RestResponse.ResponseBuilder.ok(c.bytes(), MediaType.APPLICATION_OCTET_STREAM)
                        .header("Content-Disposition", "attachment; filename=\"" + c.name() + "\"")
                        .header("X-Content-Type-Options", "nosniff")
                        .header("Cache-Control", "no-store")
                        .build());
    }
}
