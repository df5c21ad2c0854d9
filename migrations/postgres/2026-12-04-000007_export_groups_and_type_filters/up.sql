-- Group/[id]/$export: the Group whose members' compartments the job exports (NULL otherwise).
ALTER TABLE fhir_export_jobs ADD COLUMN group_id TEXT;
-- _typeFilter: one search per exported type that narrows it, a line `Type?query` each.
ALTER TABLE fhir_export_jobs ADD COLUMN type_filters TEXT;
