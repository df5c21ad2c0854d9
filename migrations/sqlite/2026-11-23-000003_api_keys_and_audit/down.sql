DROP TABLE fhir_audit_events;
DROP TABLE fhir_rate_windows;
DROP TABLE fhir_access_tokens;
DROP TABLE fhir_api_keys;
