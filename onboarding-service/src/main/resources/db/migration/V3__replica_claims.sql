-- Several onboarding-service replicas (ADR 0022): a run is advanced by one request at a time (a claim
-- that lapses if its replica dies), and an executing install plan holds a lease its replica renews; a plan
-- whose lease lapsed was left by a stopped replica and ends failed (whichever replica notices first).
ALTER TABLE onboarding_run ADD COLUMN advancing_by text;
ALTER TABLE onboarding_run ADD COLUMN advancing_until timestamptz;
ALTER TABLE install_plan ADD COLUMN lease_until timestamptz;
