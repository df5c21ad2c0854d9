DROP TABLE fhir_audit_events;
DROP FUNCTION fhir_audit_events_append_only();
DROP TABLE fhir_rate_windows;
DROP TABLE fhir_access_tokens;
DROP TABLE fhir_api_keys;
