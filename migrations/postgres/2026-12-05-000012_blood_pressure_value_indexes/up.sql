-- Component values are compared as DOUBLE PRECISION (every Observation value is, so that the
-- index's branches agree), so the blood pressure indexes are on that cast, as the pulse's is.
DROP INDEX vital_signs_bp_systolic_idx;
DROP INDEX vital_signs_bp_diastolic_idx;
CREATE INDEX vital_signs_bp_systolic_idx ON vital_signs ((CAST(bp_systolic AS DOUBLE PRECISION)));
CREATE INDEX vital_signs_bp_diastolic_idx ON vital_signs ((CAST(bp_diastolic AS DOUBLE PRECISION)));
