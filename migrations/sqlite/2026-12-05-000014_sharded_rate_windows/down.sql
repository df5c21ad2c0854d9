DROP TABLE fhir_rate_windows;
CREATE TABLE fhir_rate_windows (
    subject      TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);
