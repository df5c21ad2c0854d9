-- The facade's own tables for scoped API keys, their tokens, rate limits and the audit trail
-- (see the PostgreSQL migration for what each column holds).

CREATE TABLE fhir_api_keys (
    id                  INTEGER PRIMARY KEY,
    client_id           TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    secret_hash         TEXT NOT NULL,
    scopes              TEXT NOT NULL,
    manager             BOOLEAN NOT NULL DEFAULT FALSE,
    requests_per_minute INTEGER NOT NULL,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    expires_at          TIMESTAMP,
    revoked_at          TIMESTAMP
);

CREATE TABLE fhir_access_tokens (
    token_hash TEXT PRIMARY KEY,
    key_id     BIGINT NOT NULL REFERENCES fhir_api_keys (id),
    scopes     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX fhir_access_tokens_key_idx ON fhir_access_tokens (key_id);
CREATE INDEX fhir_access_tokens_expires_idx ON fhir_access_tokens (expires_at);

CREATE TABLE fhir_rate_windows (
    subject      TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);

CREATE TABLE fhir_audit_events (
    id             INTEGER PRIMARY KEY,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TIMESTAMP NOT NULL,
    client_id      TEXT,
    source_address TEXT NOT NULL,
    method         TEXT NOT NULL,
    interaction    TEXT NOT NULL,
    resource_type  TEXT,
    resources      TEXT NOT NULL,
    status         INTEGER NOT NULL
);
CREATE INDEX fhir_audit_events_updated_at_idx ON fhir_audit_events (updated_at);
CREATE INDEX fhir_audit_events_client_idx ON fhir_audit_events (client_id);

CREATE TRIGGER fhir_audit_events_no_update BEFORE UPDATE ON fhir_audit_events
BEGIN
    SELECT RAISE(ABORT, 'fhir_audit_events is append-only');
END;
CREATE TRIGGER fhir_audit_events_no_delete BEFORE DELETE ON fhir_audit_events
BEGIN
    SELECT RAISE(ABORT, 'fhir_audit_events is append-only');
END;
