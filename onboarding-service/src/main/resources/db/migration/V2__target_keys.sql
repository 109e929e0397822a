-- target_view gets the columns of the shared projection (platform TargetViewTable): which SSH identity a
-- target uses (the control-plane key, or an override key by secret reference) and when it last changed
ALTER TABLE target_view ADD COLUMN key_source text NOT NULL DEFAULT 'default_control_plane_identity';
ALTER TABLE target_view ADD COLUMN key_reference text;
ALTER TABLE target_view ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
