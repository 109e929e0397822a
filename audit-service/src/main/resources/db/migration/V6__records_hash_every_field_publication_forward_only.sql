-- ADR 0018. Records written from now on are hashed in form 2, which covers every stored field
-- (the record id, the redaction flag and what an outside producer reported included). Records
-- already stored keep form 1 (their hashes do not change); verify refuses a form lower than the
-- record before it.
ALTER TABLE audit_record ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
-- An outside producer's own claims (its source and time), kept as reported, never as the record's.
ALTER TABLE audit_record ADD COLUMN reported text;

-- The publication position moves only forward, to a record that exists, and every move is logged:
-- the runtime role can no longer set it (silence the SIEM feed by jumping ahead unseen, or replay
-- it by moving back).
CREATE TABLE audit_publication_log (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_seq     bigint      NOT NULL,
    through_seq  bigint      NOT NULL,
    records      bigint      NOT NULL,
    moved_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_publication_log_append_only BEFORE UPDATE OR DELETE ON audit_publication_log
    FOR EACH ROW EXECUTE FUNCTION audit_record_is_append_only();
CREATE TRIGGER audit_publication_log_no_truncate BEFORE TRUNCATE ON audit_publication_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_is_append_only();

CREATE FUNCTION audit_publication_advance(through bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    current_seq bigint;
    head_seq    bigint;
BEGIN
    SELECT p.last_seq INTO current_seq FROM audit_publication p FOR UPDATE;
    IF through IS NULL OR through <= current_seq THEN
        RAISE EXCEPTION 'the publication position only moves forward (at %, asked for %)', current_seq, through
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT coalesce(max(r.seq), 0) INTO head_seq FROM audit_record r;
    IF through > head_seq THEN
        RAISE EXCEPTION 'the publication position cannot pass the newest record (%, asked for %)', head_seq, through
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE audit_publication SET last_seq = through;
    INSERT INTO audit_publication_log (from_seq, through_seq, records)
    SELECT current_seq, through, count(*) FROM audit_record r WHERE r.seq > current_seq AND r.seq <= through;
END
$$;
REVOKE ALL ON FUNCTION audit_publication_advance(bigint) FROM PUBLIC;

REVOKE UPDATE ON audit_publication FROM "${runtime_role}";
GRANT SELECT ON audit_publication, audit_publication_log TO "${runtime_role}";
GRANT EXECUTE ON FUNCTION audit_publication_advance(bigint) TO "${runtime_role}";
