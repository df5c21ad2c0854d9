DROP INDEX patients_moph_user_id_idx;
ALTER TABLE patients DROP COLUMN moph_user_id;
