DROP INDEX appointments_branch_idx;
DROP INDEX appointments_doctor_idx;
DROP INDEX visits_branch_idx;
DROP INDEX visits_doctor_idx;
CREATE INDEX visits_doctor_idx ON visits (doctor_id);
CREATE INDEX visits_branch_idx ON visits (branch_id);
CREATE INDEX appointments_branch_idx ON appointments (branch_id);
