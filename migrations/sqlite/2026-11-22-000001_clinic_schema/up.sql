-- SQLite twin of migrations/postgres/2026-11-22-000001_clinic_schema: same tables, columns and
-- checks, in SQLite's types. The clinic's own schema: a Thai outpatient (OPD) system, shaped the way such systems keep
-- their data, not the way FHIR does. The facade's own tables live in later migrations (fhir_*).
--
-- Conventions kept by the clinic application:
--   * times are the clinic's local wall-clock time (Asia/Bangkok, no DST) in TIMESTAMP columns;
--   * every table a FHIR resource is read from has `updated_at` and a `version` counter that
--     each write increments;
--   * money is kept in satang (1/100 baht) as BIGINT.

CREATE TABLE branches (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    hcode         TEXT UNIQUE,                      -- MOPH 5-digit health facility code
    name_th       TEXT NOT NULL,
    name_en       TEXT,
    branch_type   TEXT NOT NULL DEFAULT 'clinic' CHECK (branch_type IN ('clinic', 'hospital', 'telemedicine')),
    phone         TEXT,
    email         TEXT,
    address_line  TEXT,
    sub_district  TEXT,
    district      TEXT,
    province      TEXT,
    postal_code   TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE doctors (
    id             INTEGER PRIMARY KEY,
    license_no     TEXT NOT NULL UNIQUE,            -- Thai Medical Council licence, e.g. 12345 (ว.12345)
    title_th       TEXT,                            -- นพ., พญ., ทพ. ...
    first_name_th  TEXT NOT NULL,
    last_name_th   TEXT NOT NULL,
    first_name_en  TEXT,
    last_name_en   TEXT,
    sex            TEXT CHECK (sex IN ('M', 'F', 'O', 'U')),
    specialty      TEXT,
    phone          TEXT,
    email          TEXT,
    branch_id      BIGINT REFERENCES branches (id),
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE patients (
    id                    INTEGER PRIMARY KEY,
    hn                    TEXT NOT NULL UNIQUE,     -- hospital number
    national_id           TEXT UNIQUE CHECK (length(national_id) = 13 AND national_id NOT GLOB '*[^0-9]*'),
    passport_no           TEXT,
    passport_country      TEXT,                     -- ISO 3166-1 alpha-3 of the issuing country
    title_th              TEXT,                     -- นาย, นาง, นางสาว, ด.ช., ด.ญ.
    first_name_th         TEXT,
    last_name_th          TEXT,
    first_name_en         TEXT,
    last_name_en          TEXT,
    sex                   TEXT NOT NULL CHECK (sex IN ('M', 'F', 'O', 'U')),
    birth_date            DATE,
    phone                 TEXT,
    email                 TEXT,
    address_line          TEXT,                     -- house no., moo, soi, road
    sub_district          TEXT,                     -- tambon / khwaeng
    district              TEXT,                     -- amphoe / khet
    province              TEXT,                     -- changwat
    postal_code           TEXT,
    nationality           TEXT,                     -- ISO 3166-1 alpha-3
    blood_group           TEXT CHECK (blood_group IN ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')),
    allergies             TEXT,                     -- free-text drug allergy note
    deceased              BOOLEAN NOT NULL DEFAULT FALSE,
    deceased_at           TIMESTAMP,
    primary_doctor_id     BIGINT REFERENCES doctors (id),
    registered_branch_id  BIGINT REFERENCES branches (id),
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX patients_birth_date_idx ON patients (birth_date);
CREATE INDEX patients_last_name_th_idx ON patients (lower(last_name_th));
CREATE INDEX patients_last_name_en_idx ON patients (lower(last_name_en));
CREATE INDEX patients_first_name_th_idx ON patients (lower(first_name_th));
CREATE INDEX patients_first_name_en_idx ON patients (lower(first_name_en));
CREATE INDEX patients_passport_no_idx ON patients (passport_no);

CREATE TABLE insurers (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,             -- NHSO, SSO, CGD, or a private insurer's code
    name_th       TEXT NOT NULL,
    name_en       TEXT,
    insurer_type  TEXT NOT NULL CHECK (insurer_type IN ('government', 'private')),
    phone         TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);

-- A patient's right to treatment (สิทธิการรักษา).
CREATE TABLE patient_coverages (
    id                  INTEGER PRIMARY KEY,
    patient_id          BIGINT NOT NULL REFERENCES patients (id),
    insurer_id          BIGINT NOT NULL REFERENCES insurers (id),
    scheme              TEXT NOT NULL CHECK (scheme IN ('UCS', 'SSS', 'OFC', 'LGO', 'PRIVATE', 'SELF')),
    member_no           TEXT,                       -- subscriber / policy number
    plan_name           TEXT,
    main_hospital_code  TEXT,                       -- hmain: the registered main hospital
    valid_from          DATE,
    valid_to            DATE,
    status              TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'expired')),
    updated_at          TIMESTAMP NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX patient_coverages_patient_idx ON patient_coverages (patient_id);

CREATE TABLE appointments (
    id            INTEGER PRIMARY KEY,
    patient_id    BIGINT NOT NULL REFERENCES patients (id),
    doctor_id     BIGINT REFERENCES doctors (id),
    branch_id     BIGINT NOT NULL REFERENCES branches (id),
    start_at      TIMESTAMP NOT NULL,
    duration_min  INTEGER NOT NULL CHECK (duration_min > 0),
    appt_type     TEXT NOT NULL CHECK (appt_type IN ('new', 'follow_up', 'check_up', 'procedure', 'telemedicine', 'vaccination')),
    status        TEXT NOT NULL CHECK (status IN ('scheduled', 'confirmed', 'arrived', 'completed', 'cancelled', 'no_show')),
    reason        TEXT,
    note          TEXT,
    queue_no      TEXT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX appointments_patient_idx ON appointments (patient_id);
CREATE INDEX appointments_doctor_start_idx ON appointments (doctor_id, start_at);
CREATE INDEX appointments_start_idx ON appointments (start_at);

CREATE TABLE doctor_schedules (
    id            INTEGER PRIMARY KEY,
    doctor_id     BIGINT NOT NULL REFERENCES doctors (id),
    branch_id     BIGINT NOT NULL REFERENCES branches (id),
    weekday       SMALLINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO 8601: 1 = Monday
    start_time    TIME NOT NULL,
    end_time      TIME NOT NULL CHECK (end_time > start_time),
    slot_minutes  INTEGER NOT NULL CHECK (slot_minutes > 0),
    valid_from    DATE NOT NULL,
    valid_to      DATE,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX doctor_schedules_doctor_idx ON doctor_schedules (doctor_id);

CREATE TABLE visits (
    id               INTEGER PRIMARY KEY,
    vn               TEXT NOT NULL UNIQUE,          -- visit number
    patient_id       BIGINT NOT NULL REFERENCES patients (id),
    doctor_id        BIGINT REFERENCES doctors (id),
    branch_id        BIGINT NOT NULL REFERENCES branches (id),
    appointment_id   BIGINT REFERENCES appointments (id),
    coverage_id      BIGINT REFERENCES patient_coverages (id),
    started_at       TIMESTAMP NOT NULL,
    ended_at         TIMESTAMP,
    chief_complaint  TEXT,
    visit_type       TEXT NOT NULL CHECK (visit_type IN ('walk_in', 'appointment', 'follow_up', 'telemedicine', 'emergency')),
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'in_progress', 'completed', 'cancelled')),
    updated_at       TIMESTAMP NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX visits_patient_started_idx ON visits (patient_id, started_at);
CREATE INDEX visits_started_idx ON visits (started_at);
CREATE INDEX visits_doctor_idx ON visits (doctor_id);

CREATE TABLE vital_signs (
    id                INTEGER PRIMARY KEY,
    visit_id          BIGINT NOT NULL REFERENCES visits (id),
    measured_at       TIMESTAMP NOT NULL,
    weight_kg         DOUBLE,
    height_cm         DOUBLE,
    bp_systolic       INTEGER,
    bp_diastolic      INTEGER,
    pulse_rate        INTEGER,
    temperature_c     DOUBLE,
    respiratory_rate  INTEGER,
    spo2              INTEGER,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vital_signs_visit_idx ON vital_signs (visit_id);

CREATE TABLE lab_results (
    id             INTEGER PRIMARY KEY,
    visit_id       BIGINT NOT NULL REFERENCES visits (id),
    local_code     TEXT NOT NULL,
    loinc_code     TEXT,
    test_name      TEXT NOT NULL,
    value_numeric  DOUBLE,
    value_text     TEXT,
    unit           TEXT,
    ref_low        DOUBLE,
    ref_high       DOUBLE,
    ref_text       TEXT,
    flag           TEXT CHECK (flag IN ('N', 'L', 'H', 'LL', 'HH', 'A')),
    status         TEXT NOT NULL CHECK (status IN ('ordered', 'preliminary', 'final', 'corrected', 'cancelled')),
    collected_at   TIMESTAMP,
    reported_at    TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX lab_results_visit_idx ON lab_results (visit_id);

-- Diagnosis type follows the Thai OPD standard: 1 principal, 2 comorbidity, 3 complication,
-- 4 other, 5 external cause. ICD-10 codes are kept without the dot (E119), as Thai systems do.
CREATE TABLE diagnoses (
    id            INTEGER PRIMARY KEY,
    visit_id      BIGINT NOT NULL REFERENCES visits (id),
    icd10         TEXT NOT NULL,
    diag_type     SMALLINT NOT NULL CHECK (diag_type BETWEEN 1 AND 5),
    doctor_id     BIGINT REFERENCES doctors (id),
    diagnosed_at  TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX diagnoses_visit_idx ON diagnoses (visit_id);
CREATE INDEX diagnoses_icd10_idx ON diagnoses (icd10);

CREATE TABLE drugs (
    id                 INTEGER PRIMARY KEY,
    local_code         TEXT NOT NULL UNIQUE,
    tmt_code           TEXT UNIQUE,                 -- Thai Medicines Terminology id
    generic_name       TEXT NOT NULL,
    trade_name         TEXT,
    strength           TEXT,
    dosage_form        TEXT,
    dispense_unit      TEXT NOT NULL,
    unit_price_satang  BIGINT,
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at         TIMESTAMP NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE prescriptions (
    id             INTEGER PRIMARY KEY,
    visit_id       BIGINT NOT NULL REFERENCES visits (id),
    drug_id        BIGINT NOT NULL REFERENCES drugs (id),
    doctor_id      BIGINT REFERENCES doctors (id),
    dose           DOUBLE,
    dose_unit      TEXT,
    frequency      TEXT,                            -- OD, BID, TID, QID, HS, PRN, Q4H, Q6H, Q8H, STAT
    route          TEXT,                            -- PO, IV, IM, SC, TOP, INH, SL, PR
    duration_days  INTEGER,
    quantity       INTEGER,
    sig_text       TEXT,                            -- label text, usually Thai
    status         TEXT NOT NULL CHECK (status IN ('active', 'on_hold', 'completed', 'cancelled', 'stopped')),
    dispensed      BOOLEAN NOT NULL DEFAULT FALSE,
    dispensed_at   TIMESTAMP,
    prescribed_at  TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX prescriptions_visit_idx ON prescriptions (visit_id);

CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    claim_no      TEXT NOT NULL UNIQUE,
    visit_id      BIGINT REFERENCES visits (id),
    patient_id    BIGINT NOT NULL REFERENCES patients (id),
    coverage_id   BIGINT REFERENCES patient_coverages (id),
    insurer_id    BIGINT NOT NULL REFERENCES insurers (id),
    branch_id     BIGINT NOT NULL REFERENCES branches (id),
    claim_use     TEXT NOT NULL CHECK (claim_use IN ('claim', 'preauthorization')),
    claim_type    TEXT NOT NULL CHECK (claim_type IN ('opd', 'dental', 'pharmacy')),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'paid', 'cancelled')),
    priority      TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
    total_satang  BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    submitted_at  TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX claims_patient_idx ON claims (patient_id);

CREATE TABLE claim_items (
    id                 INTEGER PRIMARY KEY,
    claim_id           BIGINT NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    category           TEXT NOT NULL CHECK (category IN ('drug', 'lab', 'procedure', 'service', 'supply')),
    item_code          TEXT NOT NULL,
    item_name          TEXT,
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_satang  BIGINT NOT NULL,
    net_satang         BIGINT NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    UNIQUE (claim_id, seq)
);

-- SOAP notes.
CREATE TABLE clinical_notes (
    id                INTEGER PRIMARY KEY,
    visit_id          BIGINT NOT NULL REFERENCES visits (id),
    author_doctor_id  BIGINT NOT NULL REFERENCES doctors (id),
    note_type         TEXT NOT NULL CHECK (note_type IN ('progress', 'outpatient')),
    subjective        TEXT,
    objective         TEXT,
    assessment        TEXT,
    plan              TEXT,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'amended', 'retracted')),
    written_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX clinical_notes_visit_idx ON clinical_notes (visit_id);
