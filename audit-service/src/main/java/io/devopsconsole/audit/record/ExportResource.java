package io.devopsconsole.audit.record;

import io.devopsconsole.platform.problem.InvalidFieldException;
import io.devopsconsole.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Streams the records matching a filter, newest first, as NDJSON or CSV; the first line states
 * the chain head at export time, so an export can later be checked against the live chain.
 */
@Path("/api/audit/export")
public class ExportResource {

    private final AuditExporter exporter;

    public ExportResource(AuditExporter exporter) {
        this.exporter = exporter;
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @APIResponse(
            responseCode = "200",
            description = "The matching records, newest first, after a first line stating the "
                    + "chain head; `format=ndjson` (default) or `format=csv`. Streamed: sent as it is read.",
            content = {
                @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING)),
                @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING))
            })
    public RestMulti<String> export(
            @QueryParam("format") @DefaultValue("ndjson") String format,
            @QueryParam("resource_type") @Size(max = 100) String resourceType,
            @QueryParam("resource_id") @Size(max = 200) String resourceId,
            @QueryParam("actor") @Size(max = 200) String actor,
            @QueryParam("action") @Size(max = 100) String action,
            @QueryParam("risk") @Size(max = 20) String risk,
            @QueryParam("session_id") @Size(max = 100) String sessionId,
            @QueryParam("q") @Size(max = 200) String text,
            @QueryParam("from") OffsetDateTime from,
            @QueryParam("to") OffsetDateTime to) {
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw new InvalidFieldException("format", "must be ndjson or csv");
        }
        AuditQuery filter = new AuditQuery(
                resourceType, resourceId, actor, action, risk, sessionId, text, from, to, null, AuditExporter.PAGE);
        boolean csv = format.equals("csv");
        return RestMulti.fromMultiData(exporter.export(filter, csv))
                .header("Content-Type", csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"audit-export." + (csv ? "csv" : "ndjson") + "\"")
                .encodeAsJsonArray(false)
                .build();
    }
}
