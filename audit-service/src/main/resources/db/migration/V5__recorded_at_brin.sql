-- Range verification starts at the first record recorded at or after a time. recorded_at grows
-- with seq, so a BRIN index answers that in a few block ranges at almost no cost to ingest.
CREATE INDEX audit_record_recorded_at ON audit_record USING brin (recorded_at);
