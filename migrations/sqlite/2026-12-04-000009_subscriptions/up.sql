-- FHIR Subscriptions (the facade's own table): rest-hook webhooks clients register.
CREATE TABLE fhir_subscriptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_client_id TEXT NOT NULL,        -- the key that last wrote it: deliveries carry only what it may read
    status          TEXT NOT NULL,        -- requested | active | error | off
    reason          TEXT NOT NULL,
    criteria        TEXT NOT NULL,        -- a search: Type?params
    criteria_type   TEXT NOT NULL,        -- its Type, to find the subscriptions a write may match
    endpoint        TEXT NOT NULL,
    payload         TEXT,                 -- application/fhir+json, or NULL for notifications without content
    headers         TEXT NOT NULL,        -- channel.header, one per line
    end_time        TIMESTAMP,
    error           TEXT,                 -- why deliveries stopped (status error)
    contact         TEXT,                 -- contact[0].value
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX fhir_subscriptions_active_idx ON fhir_subscriptions (criteria_type) WHERE status = 'active';

-- The outbox: one row per delivery to make, written in the same transaction as the change it
-- announces. A stream (`Subscription/{id}`, or `moph` for MOPH Connect) is delivered in id order;
-- any instance may deliver, claiming a row until `claimed_until`.
CREATE TABLE fhir_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    stream          TEXT NOT NULL,
    subscription_id INTEGER REFERENCES fhir_subscriptions (id),
    channel         TEXT NOT NULL,        -- rest-hook | moph-queue | moph-schedule | moph-notify
    event_name      TEXT NOT NULL,        -- patient.created, appointment.cancelled, ...
    resource_type   TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    body            TEXT NOT NULL,        -- what is POSTed (empty for a notification without content)
    created_at      TIMESTAMP NOT NULL,   -- UTC, as every time below
    due_at          TIMESTAMP NOT NULL,   -- not before (retries back off; MOPH notify waits for its lead time)
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    claimed_until   TIMESTAMP,
    delivered_at    TIMESTAMP,
    failed_at       TIMESTAMP             -- given up after the last retry
);
CREATE INDEX fhir_outbox_pending_idx ON fhir_outbox (stream, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
