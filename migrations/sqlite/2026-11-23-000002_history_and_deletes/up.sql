-- Resource ids become text (some resources are derived from part of a row: Observation
-- vs-12-weight is the weight of vital_signs row 12), and a kept version is ordered by when it
-- became current (its meta.lastUpdated). SQLite cannot change a column's type: rebuild.
CREATE TABLE fhir_resource_versions_new (
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    version        INTEGER NOT NULL,
    last_updated   TIMESTAMP NOT NULL,             -- clinic local time the version became current
    method         TEXT,                           -- POST, PUT, PATCH, DELETE; NULL: the clinic application
    resource       TEXT NOT NULL,                  -- the resource as JSON
    PRIMARY KEY (resource_type, resource_id, version)
);
INSERT INTO fhir_resource_versions_new
    SELECT resource_type, CAST(resource_id AS TEXT), version, recorded_at, method, resource
    FROM fhir_resource_versions;
DROP TABLE fhir_resource_versions;
ALTER TABLE fhir_resource_versions_new RENAME TO fhir_resource_versions;
CREATE INDEX fhir_resource_versions_last_updated_idx ON fhir_resource_versions (last_updated);

-- A version written by a FHIR delete (method 'DELETE') marks the resource deleted while the
-- clinic row stays at that version; reads and searches look it up by this small index.
CREATE INDEX fhir_resource_versions_deleted_idx
    ON fhir_resource_versions (resource_type, resource_id, version) WHERE method = 'DELETE';

-- _lastUpdated searches and type/system history order by the row's update time.
CREATE INDEX patients_updated_at_idx ON patients (updated_at);
