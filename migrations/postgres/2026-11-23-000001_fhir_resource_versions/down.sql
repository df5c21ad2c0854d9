DROP TABLE fhir_resource_versions;
