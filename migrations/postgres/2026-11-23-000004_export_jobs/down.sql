DROP TABLE fhir_export_jobs;
