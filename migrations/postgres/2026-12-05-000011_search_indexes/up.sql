-- Every advertised search parameter is served by an index on the 1,000,000-patient dataset
-- (bench/index-walk proves it). Low-cardinality codes are indexed with the row key, so a page
-- of a rare code is one range of the index in key order; string parameters are prefix searches
-- over search_fold(column) (text_pattern_ops), and `:contains` on patient names uses trigrams.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Patient
CREATE INDEX patients_sex_idx ON patients (sex, id);
CREATE INDEX patients_active_idx ON patients (active, id);
CREATE INDEX patients_deceased_idx ON patients (deceased, id);
CREATE INDEX patients_deceased_at_idx ON patients (deceased_at);
CREATE INDEX patients_phone_idx ON patients (phone);
CREATE INDEX patients_email_idx ON patients (email);
CREATE INDEX patients_primary_doctor_idx ON patients (primary_doctor_id);
CREATE INDEX patients_registered_branch_idx ON patients (registered_branch_id);
CREATE INDEX patients_address_line_search_idx ON patients (search_fold(address_line) text_pattern_ops);
CREATE INDEX patients_sub_district_search_idx ON patients (search_fold(sub_district) text_pattern_ops);
CREATE INDEX patients_district_search_idx ON patients (search_fold(district) text_pattern_ops);
CREATE INDEX patients_province_search_idx ON patients (search_fold(province) text_pattern_ops);
CREATE INDEX patients_postal_code_search_idx ON patients (search_fold(postal_code) text_pattern_ops);
CREATE INDEX patients_last_name_th_trigram_idx ON patients USING gin (search_fold(last_name_th) gin_trgm_ops);
CREATE INDEX patients_last_name_en_trigram_idx ON patients USING gin (search_fold(last_name_en) gin_trgm_ops);
CREATE INDEX patients_first_name_th_trigram_idx ON patients USING gin (search_fold(first_name_th) gin_trgm_ops);
CREATE INDEX patients_first_name_en_trigram_idx ON patients USING gin (search_fold(first_name_en) gin_trgm_ops);
CREATE INDEX patients_title_th_trigram_idx ON patients USING gin (search_fold(title_th) gin_trgm_ops);

-- Coverage
CREATE INDEX patient_coverages_updated_at_idx ON patient_coverages (updated_at);
CREATE INDEX patient_coverages_status_idx ON patient_coverages (status, id);
CREATE INDEX patient_coverages_scheme_idx ON patient_coverages (scheme, id);
CREATE INDEX patient_coverages_member_no_idx ON patient_coverages (member_no);
CREATE INDEX patient_coverages_insurer_idx ON patient_coverages (insurer_id);
CREATE INDEX patient_coverages_plan_name_search_idx ON patient_coverages (search_fold(plan_name) text_pattern_ops);

-- Condition
CREATE INDEX diagnoses_updated_at_idx ON diagnoses (updated_at);
CREATE INDEX diagnoses_diagnosed_at_idx ON diagnoses (diagnosed_at);
CREATE INDEX diagnoses_doctor_idx ON diagnoses (doctor_id);
-- The Thai diagnosis type as the category search compares it (a code).
CREATE INDEX diagnoses_diag_type_idx ON diagnoses ((CAST(diag_type AS TEXT)), id);

-- Encounter
CREATE INDEX visits_updated_at_idx ON visits (updated_at);
CREATE INDEX visits_status_idx ON visits (status, id);
CREATE INDEX visits_visit_type_idx ON visits (visit_type, id);
CREATE INDEX visits_branch_idx ON visits (branch_id);
CREATE INDEX visits_appointment_idx ON visits (appointment_id);
CREATE INDEX visits_chief_complaint_search_idx ON visits (search_fold(chief_complaint) text_pattern_ops);

-- Observation: vital signs (each measurement's value, as the search compares it) and lab results
CREATE INDEX vital_signs_updated_at_idx ON vital_signs (updated_at);
CREATE INDEX vital_signs_measured_at_idx ON vital_signs (measured_at);
CREATE INDEX vital_signs_weight_idx ON vital_signs (weight_kg);
CREATE INDEX vital_signs_height_idx ON vital_signs (height_cm);
CREATE INDEX vital_signs_bp_systolic_idx ON vital_signs (bp_systolic);
CREATE INDEX vital_signs_bp_diastolic_idx ON vital_signs (bp_diastolic);
CREATE INDEX vital_signs_pulse_rate_idx ON vital_signs ((CAST(pulse_rate AS DOUBLE PRECISION)));
CREATE INDEX vital_signs_temperature_idx ON vital_signs (temperature_c);
CREATE INDEX vital_signs_respiratory_rate_idx ON vital_signs ((CAST(respiratory_rate AS DOUBLE PRECISION)));
CREATE INDEX vital_signs_spo2_idx ON vital_signs ((CAST(spo2 AS DOUBLE PRECISION)));
-- BMI as the search computes it (fhir_store's Observation index), where it is defined.
CREATE INDEX vital_signs_bmi_idx ON vital_signs
    ((floor(weight_kg / ((height_cm / 100.0) * (height_cm / 100.0)) * 10.0 + 0.5) / 10.0))
    WHERE weight_kg IS NOT NULL AND height_cm > 0;
CREATE INDEX lab_results_updated_at_idx ON lab_results (updated_at);
CREATE INDEX lab_results_collected_at_idx ON lab_results (collected_at);
CREATE INDEX lab_results_loinc_code_idx ON lab_results (loinc_code);
CREATE INDEX lab_results_local_code_idx ON lab_results (local_code);
CREATE INDEX lab_results_status_idx ON lab_results (status, id);
CREATE INDEX lab_results_value_numeric_idx ON lab_results (value_numeric);
CREATE INDEX lab_results_value_text_search_idx ON lab_results (search_fold(value_text) text_pattern_ops);

-- MedicationRequest
CREATE INDEX prescriptions_updated_at_idx ON prescriptions (updated_at);
CREATE INDEX prescriptions_status_idx ON prescriptions (status, id);
CREATE INDEX prescriptions_prescribed_at_idx ON prescriptions (prescribed_at);
CREATE INDEX prescriptions_doctor_idx ON prescriptions (doctor_id);
CREATE INDEX prescriptions_drug_idx ON prescriptions (drug_id);

-- Appointment
CREATE INDEX appointments_updated_at_idx ON appointments (updated_at);
CREATE INDEX appointments_status_idx ON appointments (status, id);
CREATE INDEX appointments_appt_type_idx ON appointments (appt_type, id);
CREATE INDEX appointments_branch_idx ON appointments (branch_id);
CREATE INDEX appointments_queue_no_idx ON appointments (queue_no);
CREATE INDEX appointments_reason_search_idx ON appointments (search_fold(reason) text_pattern_ops);

-- Claim
CREATE INDEX claims_updated_at_idx ON claims (updated_at);
CREATE INDEX claims_status_idx ON claims (status, id);
CREATE INDEX claims_claim_use_idx ON claims (claim_use, id);
CREATE INDEX claims_priority_idx ON claims (priority, id);
CREATE INDEX claims_created_at_idx ON claims (created_at);
CREATE INDEX claims_insurer_idx ON claims (insurer_id);
CREATE INDEX claims_branch_idx ON claims (branch_id);
CREATE INDEX claims_visit_idx ON claims (visit_id);

-- DocumentReference
CREATE INDEX clinical_notes_updated_at_idx ON clinical_notes (updated_at);
CREATE INDEX clinical_notes_note_type_idx ON clinical_notes (note_type, id);
CREATE INDEX clinical_notes_status_idx ON clinical_notes (status, id);
CREATE INDEX clinical_notes_written_at_idx ON clinical_notes (written_at);
CREATE INDEX clinical_notes_author_idx ON clinical_notes (author_doctor_id);
