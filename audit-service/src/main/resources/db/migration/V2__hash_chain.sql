-- Tamper evidence: each record stores its predecessor's hash and its own hash over a canonical
-- form (see AuditChain). Records written before this migration stay unchained; verification
-- starts at the first chained record (the anchor) and reports how many came before it.
ALTER TABLE audit_record ADD COLUMN prev_hash text;
ALTER TABLE audit_record ADD COLUMN hash text;
CREATE UNIQUE INDEX audit_record_hash ON audit_record (hash) WHERE hash IS NOT NULL;
