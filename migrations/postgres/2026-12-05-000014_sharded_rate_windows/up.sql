-- A key's hits in a minute are spread over shards, one picked at random per request: every
-- request of a key updated the same row, and under load most sessions waited on its lock. The
-- counts last a minute, so the table starts empty.
DROP TABLE fhir_rate_windows;
CREATE TABLE fhir_rate_windows (
    subject      TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    shard        SMALLINT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start, shard)
);
