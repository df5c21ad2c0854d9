ALTER TABLE fhir_export_jobs DROP COLUMN type_filters;
ALTER TABLE fhir_export_jobs DROP COLUMN group_id;
