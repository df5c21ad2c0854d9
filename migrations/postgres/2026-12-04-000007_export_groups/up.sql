-- Group/[id]/$export: the Group whose members' compartments the job exports (NULL otherwise).
ALTER TABLE fhir_export_jobs ADD COLUMN group_id TEXT;
