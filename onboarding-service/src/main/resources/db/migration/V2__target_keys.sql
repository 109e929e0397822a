-- which SSH identity a target uses: the control-plane key, or an override key by secret reference
ALTER TABLE target_view ADD COLUMN key_source text NOT NULL DEFAULT 'default_control_plane_identity';
ALTER TABLE target_view ADD COLUMN key_reference text;
