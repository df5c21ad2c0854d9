DROP TABLE fhir_outbox;
DROP TABLE fhir_subscriptions;
