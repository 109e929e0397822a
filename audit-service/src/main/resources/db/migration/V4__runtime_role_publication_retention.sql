-- Runs as the schema owner (quarkus.flyway.username). The service itself connects as the runtime
-- role (quarkus.datasource.username), which may only INSERT and SELECT audit records.

DO $$
BEGIN
    IF '${runtime_role}' = current_user THEN
        RAISE EXCEPTION 'the audit runtime role (%) must not be the role that owns the schema', current_user;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${runtime_role}') THEN
        -- normally created beforehand by whoever provisions the database (with its password);
        -- created here (without a password) for the embedded local stack and the tests
        CREATE ROLE "${runtime_role}" LOGIN;
    END IF;
END
$$;

-- Publication to console.audit.v1 tails the log itself: the audit table is already an ordered,
-- append-only log, so instead of copying every record into an outbox the publisher remembers the
-- last seq it sent. Chain extension holds the chain lock, so seq order is commit order.
CREATE TABLE audit_publication (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq  bigint  NOT NULL
);
-- records written before this migration were queued in the outbox and are published from there
INSERT INTO audit_publication (last_seq) SELECT coalesce(max(seq), 0) FROM audit_record;

CREATE FUNCTION audit_record_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_records', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_record_notify AFTER INSERT ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_notify();

-- The chain is walked by seq; a unique index over random hashes only cost ingest time.
DROP INDEX audit_record_hash;

-- Retention. Old records are pruned as a prefix of the chain; the hash of the last pruned record
-- becomes the anchor the first kept record links to, and a record describing the pruning is
-- appended to the chain in the same transaction (see RetentionService).
CREATE TABLE audit_chain_anchor (
    seq                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pruned_through_seq bigint      NOT NULL,
    anchor_hash        text        NOT NULL,
    pruned_count       bigint      NOT NULL,
    oldest_recorded_at timestamptz NOT NULL,
    newest_recorded_at timestamptz NOT NULL,
    cutoff             timestamptz NOT NULL,
    pruned_at          timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_chain_anchor_append_only BEFORE UPDATE OR DELETE ON audit_chain_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_record_is_append_only();
CREATE TRIGGER audit_chain_anchor_no_truncate BEFORE TRUNCATE ON audit_chain_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_is_append_only();

-- Deletes pass the append-only trigger only inside audit_prune (a transaction-local flag that
-- only matters to a role holding DELETE, which the runtime role does not).
CREATE OR REPLACE FUNCTION audit_record_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_record'
            AND current_setting('devops_audit.pruning', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Prunes up to max_rows of the oldest records recorded before cutoff, which must be at least the
-- retention floor old (R__retention_floor.sql, set by whoever deploys the schema): the runtime role
-- may run the policy, never shorten it. Returns nothing when there is nothing to prune.
CREATE FUNCTION audit_prune(cutoff timestamptz, max_rows integer)
    RETURNS TABLE (pruned_count bigint, first_seq bigint, last_seq bigint, anchor_hash text,
                   oldest_recorded_at timestamptz, newest_recorded_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    boundary bigint;
BEGIN
    IF cutoff IS NULL OR cutoff > now() - audit_retention_floor() THEN
        RAISE EXCEPTION 'retention cutoff % is newer than the retention floor allows (records younger than % are kept)',
            cutoff, audit_retention_floor() USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('audit_chain'));
    WITH head AS (SELECT r.seq, r.recorded_at FROM audit_record r ORDER BY r.seq LIMIT max_rows),
         first_kept AS (SELECT min(h.seq) AS seq FROM head h WHERE h.recorded_at >= cutoff)
    SELECT max(h.seq) INTO boundary FROM head h
     WHERE (SELECT fk.seq FROM first_kept fk) IS NULL OR h.seq < (SELECT fk.seq FROM first_kept fk);
    IF boundary IS NULL THEN
        RETURN;
    END IF;
    SELECT count(*), min(r.seq), max(r.seq), min(r.recorded_at), max(r.recorded_at)
      INTO pruned_count, first_seq, last_seq, oldest_recorded_at, newest_recorded_at
      FROM audit_record r WHERE r.seq <= boundary;
    SELECT coalesce(r.hash, repeat('0', 64)) INTO anchor_hash FROM audit_record r WHERE r.seq = boundary;
    PERFORM set_config('devops_audit.pruning', 'on', true);
    DELETE FROM audit_record r WHERE r.seq <= boundary;
    PERFORM set_config('devops_audit.pruning', 'off', true);
    INSERT INTO audit_chain_anchor (pruned_through_seq, anchor_hash, pruned_count, oldest_recorded_at,
                                    newest_recorded_at, cutoff)
    VALUES (last_seq, anchor_hash, pruned_count, oldest_recorded_at, newest_recorded_at, cutoff);
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION audit_prune(timestamptz, integer) FROM PUBLIC;

-- What the runtime role may do, and nothing more.
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO "${runtime_role}";
REVOKE ALL ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} FROM "${runtime_role}";
GRANT SELECT, INSERT ON audit_record TO "${runtime_role}";
GRANT SELECT ON audit_chain_anchor TO "${runtime_role}";
GRANT SELECT, UPDATE ON audit_publication TO "${runtime_role}";
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_event, processed_event TO "${runtime_role}";
GRANT EXECUTE ON FUNCTION audit_prune(timestamptz, integer) TO "${runtime_role}";
