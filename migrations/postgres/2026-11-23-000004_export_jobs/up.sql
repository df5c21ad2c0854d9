-- Bulk Data export jobs (the facade's own table), shared by every instance: any instance may
-- run a job (it claims it and keeps a heartbeat; a job whose heartbeat stops, say because its
-- instance died, is claimed again and restarted), and any instance answers its status.
-- Times are UTC.
CREATE TABLE fhir_export_jobs (
    id               TEXT PRIMARY KEY,            -- random, in the status URL
    client_id        TEXT NOT NULL,               -- only this key may see the job and its files
    request          TEXT NOT NULL,               -- the kick-off URL, for the manifest
    types            TEXT NOT NULL,               -- space-separated resource types to export
    since            TEXT,                        -- _since as sent
    patient_only     BOOLEAN NOT NULL,            -- Patient/$export: the patient compartment
    status           TEXT NOT NULL,               -- in-progress | complete | error | cancelled
    progress         TEXT,
    outputs          TEXT,                        -- the manifest's output array (JSON) once complete
    error            TEXT,
    claimed_by       TEXT,
    heartbeat        TIMESTAMP,
    transaction_time TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX fhir_export_jobs_status_idx ON fhir_export_jobs (status);
