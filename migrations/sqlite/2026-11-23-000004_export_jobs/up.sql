-- Bulk Data export jobs (see the PostgreSQL migration for what each column holds).
CREATE TABLE fhir_export_jobs (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL,
    request          TEXT NOT NULL,
    types            TEXT NOT NULL,
    since            TEXT,
    patient_only     BOOLEAN NOT NULL,
    status           TEXT NOT NULL,
    progress         TEXT,
    outputs          TEXT,
    error            TEXT,
    claimed_by       TEXT,
    heartbeat        TIMESTAMP,
    transaction_time TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX fhir_export_jobs_status_idx ON fhir_export_jobs (status);
