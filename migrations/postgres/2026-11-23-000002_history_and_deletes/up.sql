-- Resource ids are text: some resources are derived from part of a row (Observation
-- vs-12-weight is the weight of vital_signs row 12).
ALTER TABLE fhir_resource_versions ALTER COLUMN resource_id TYPE TEXT USING resource_id::text;

-- A kept version is ordered by when it became current (its meta.lastUpdated), not by when the
-- facade happened to record it: history and _at need that time.
ALTER TABLE fhir_resource_versions RENAME COLUMN recorded_at TO last_updated;
CREATE INDEX fhir_resource_versions_last_updated_idx ON fhir_resource_versions (last_updated);

-- A version written by a FHIR delete (method 'DELETE') marks the resource deleted while the
-- clinic row stays at that version; reads and searches look it up by this small index.
CREATE INDEX fhir_resource_versions_deleted_idx
    ON fhir_resource_versions (resource_type, resource_id, version) WHERE method = 'DELETE';

-- _lastUpdated searches and type/system history order by the row's update time.
CREATE INDEX patients_updated_at_idx ON patients (updated_at);
