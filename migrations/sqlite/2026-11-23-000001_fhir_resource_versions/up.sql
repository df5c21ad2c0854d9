-- The facade's own table (not the clinic's): every version of a resource the facade wrote,
-- plus the version it replaced, so vread can return them after the clinic row moved on.
CREATE TABLE fhir_resource_versions (
    resource_type  TEXT NOT NULL,
    resource_id    BIGINT NOT NULL,
    version        INTEGER NOT NULL,
    recorded_at    TIMESTAMP NOT NULL,             -- clinic local time
    method         TEXT,                           -- POST, PUT...; NULL: written by the clinic application
    resource       TEXT NOT NULL,                  -- the resource as JSON
    PRIMARY KEY (resource_type, resource_id, version)
);
