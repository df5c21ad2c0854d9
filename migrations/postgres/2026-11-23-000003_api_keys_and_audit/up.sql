-- The facade's own tables for scoped API keys, their tokens, rate limits and the audit trail.
-- Key and token times are UTC. Every server instance shares them, so
-- a revoked key, a rate window or an audit record means the same on all of them.

CREATE TABLE fhir_api_keys (
    id                  BIGSERIAL PRIMARY KEY,
    client_id           TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    secret_hash         TEXT NOT NULL,      -- Argon2id PHC string; the secret itself is never stored
    scopes              TEXT NOT NULL,      -- the granted SMART v2 scopes, space-separated
    manager             BOOLEAN NOT NULL DEFAULT FALSE,  -- may manage keys (/admin/keys)
    requests_per_minute INTEGER NOT NULL,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    expires_at          TIMESTAMP,
    revoked_at          TIMESTAMP
);

CREATE TABLE fhir_access_tokens (
    token_hash TEXT PRIMARY KEY,            -- SHA-256 (hex) of the bearer token
    key_id     BIGINT NOT NULL REFERENCES fhir_api_keys (id),
    scopes     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX fhir_access_tokens_key_idx ON fhir_access_tokens (key_id);
CREATE INDEX fhir_access_tokens_expires_idx ON fhir_access_tokens (expires_at);

-- Fixed one-minute windows: `subject` is a key (`key:<client id>`) or a failed-authentication
-- source (`auth-client:<client id>`, `auth-address:<ip>`); `window_start` is the Unix minute.
CREATE TABLE fhir_rate_windows (
    subject      TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);

-- Every request, allowed or denied, served as AuditEvent resources. No query string, body or
-- token is kept: they carry patient data and secrets. A record never changes: its version is 1
-- and `updated_at` is when it was recorded, in clinic local time like every served table.
CREATE TABLE fhir_audit_events (
    id             BIGSERIAL PRIMARY KEY,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TIMESTAMP NOT NULL,
    client_id      TEXT,                    -- NULL: no valid token
    source_address TEXT NOT NULL,
    method         TEXT NOT NULL,
    interaction    TEXT NOT NULL,           -- read, search-type, create, token, ...
    resource_type  TEXT,
    resources      TEXT NOT NULL,           -- the `Type/id`s touched, space-separated
    status         INTEGER NOT NULL
);
CREATE INDEX fhir_audit_events_updated_at_idx ON fhir_audit_events (updated_at);
CREATE INDEX fhir_audit_events_client_idx ON fhir_audit_events (client_id);

CREATE FUNCTION fhir_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'fhir_audit_events is append-only';
END $$;
CREATE TRIGGER fhir_audit_events_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON fhir_audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION fhir_audit_events_append_only();
