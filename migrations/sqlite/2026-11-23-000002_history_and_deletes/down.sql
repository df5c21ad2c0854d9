DROP INDEX patients_updated_at_idx;
CREATE TABLE fhir_resource_versions_old (
    resource_type  TEXT NOT NULL,
    resource_id    BIGINT NOT NULL,
    version        INTEGER NOT NULL,
    recorded_at    TIMESTAMP NOT NULL,
    method         TEXT,
    resource       TEXT NOT NULL,
    PRIMARY KEY (resource_type, resource_id, version)
);
INSERT INTO fhir_resource_versions_old
    SELECT resource_type, CAST(resource_id AS BIGINT), version, last_updated, method, resource
    FROM fhir_resource_versions;
DROP TABLE fhir_resource_versions;
ALTER TABLE fhir_resource_versions_old RENAME TO fhir_resource_versions;
