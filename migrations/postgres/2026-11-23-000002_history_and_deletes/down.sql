DROP INDEX patients_updated_at_idx;
DROP INDEX fhir_resource_versions_deleted_idx;
DROP INDEX fhir_resource_versions_last_updated_idx;
ALTER TABLE fhir_resource_versions RENAME COLUMN last_updated TO recorded_at;
ALTER TABLE fhir_resource_versions ALTER COLUMN resource_id TYPE BIGINT USING resource_id::bigint;
