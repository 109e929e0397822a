-- Redaction on ingest is recorded on the row; events posted directly (not from Kafka) have no partition/offset.
ALTER TABLE audit_record ADD COLUMN redacted boolean NOT NULL DEFAULT false;
ALTER TABLE audit_record ALTER COLUMN kafka_partition DROP NOT NULL;
ALTER TABLE audit_record ALTER COLUMN kafka_offset DROP NOT NULL;
CREATE INDEX audit_record_session ON audit_record (session_id, seq DESC) WHERE session_id IS NOT NULL;
