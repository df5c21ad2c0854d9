-- The patient's MOPH Connect user id (the Ministry of Public Health's patient messaging service),
-- kept as a Patient identifier; appointment messages go to patients who have one.
ALTER TABLE patients ADD COLUMN moph_user_id TEXT;
CREATE INDEX patients_moph_user_id_idx ON patients (moph_user_id);
