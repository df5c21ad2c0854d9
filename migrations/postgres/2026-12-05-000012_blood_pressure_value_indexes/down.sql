DROP INDEX vital_signs_bp_diastolic_idx;
DROP INDEX vital_signs_bp_systolic_idx;
CREATE INDEX vital_signs_bp_systolic_idx ON vital_signs (bp_systolic);
CREATE INDEX vital_signs_bp_diastolic_idx ON vital_signs (bp_diastolic);
