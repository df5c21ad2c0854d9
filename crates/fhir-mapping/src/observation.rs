//! Observation <-> `vital_signs` and `lab_results`.
//!
//! A vital_signs row holds several measurements taken together; each is its own Observation
//! following the R4 vital-signs profile for it, with a derived id `vs-{row id}-{kind}`. Lab
//! results are one Observation per row, id `lab-{row id}`.
//!
//! Vital signs (all: status final, category vital-signs, LOINC code, UCUM valueQuantity):
//!
//! | Observation (id suffix, profile)   | code                      | unit   | clinic column     |
//! |------------------------------------|---------------------------|--------|-------------------|
//! | bp, bp (components 8480-6, 8462-4) | 85354-9                   | mm[Hg] | bp_systolic, bp_diastolic |
//! | weight, bodyweight                 | 29463-7                   | kg     | weight_kg         |
//! | height, bodyheight                 | 8302-2                    | cm     | height_cm         |
//! | heart-rate, heartrate              | 8867-4                    | /min   | pulse_rate        |
//! | temperature, bodytemp              | 8310-5                    | Cel    | temperature_c     |
//! | respiratory-rate, resprate         | 9279-1                    | /min   | respiratory_rate  |
//! | spo2, oxygensat                    | 2708-6 + 59408-5          | %      | spo2              |
//! | bmi, bmi (read-only, derived)      | 39156-5                   | kg/m2  | weight_kg, height_cm |
//!
//! with subject = the visit's patient, encounter = visit_id, effectiveDateTime = measured_at.
//!
//! Lab results:
//!
//! | FHIR                                         | clinic column                               |
//! |----------------------------------------------|---------------------------------------------|
//! | status registered / preliminary / final /    | status ordered / preliminary / final /      |
//! |   corrected / cancelled                      |   corrected / cancelled                     |
//! | category laboratory                          |                                             |
//! | code.coding LOINC / clinic lab-test system   | loinc_code / local_code                     |
//! | code.text                                    | test_name                                   |
//! | encounter                                    | visit_id                                    |
//! | effectiveDateTime / issued                   | collected_at / reported_at                  |
//! | valueQuantity value, unit (no UCUM claim)    | value_numeric, unit                         |
//! | valueString (when there is no number)        | value_text                                  |
//! | interpretation (v3-ObservationInterpretation)| flag (N, L, H, LL, HH, A)                   |
//! | referenceRange[0] low, high, text            | ref_low, ref_high, ref_text                 |
//!
//! Neither table holds the patient: `subject` comes from the visit, passed in on reads; on
//! writes the store checks it with [`crate::subject_patient_id`].

use std::fmt;

use chrono::NaiveDateTime;
use clinic_db::{LabResultFields, LabResultRow, VitalSignsFields, VitalSignsRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{array, date_time, read_code, read_reference, required, text};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems};

/// One of the vital signs a vital_signs row can give, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VitalSign {
    BloodPressure,
    Weight,
    Height,
    HeartRate,
    Temperature,
    RespiratoryRate,
    Spo2,
    Bmi,
}

/// The coding of a LOINC code with its display.
struct Loinc(&'static str, &'static str);

const SYSTOLIC: Loinc = Loinc("8480-6", "Systolic blood pressure");
const DIASTOLIC: Loinc = Loinc("8462-4", "Diastolic blood pressure");

/// The LOINC codes of a blood pressure's components, systolic first (the order of `component`).
pub const BLOOD_PRESSURE_COMPONENTS: [&str; 2] = [SYSTOLIC.0, DIASTOLIC.0];

impl VitalSign {
    pub const ALL: [VitalSign; 8] = [
        VitalSign::BloodPressure,
        VitalSign::Weight,
        VitalSign::Height,
        VitalSign::HeartRate,
        VitalSign::Temperature,
        VitalSign::RespiratoryRate,
        VitalSign::Spo2,
        VitalSign::Bmi,
    ];

    /// The last part of the Observation id `vs-{row id}-{suffix}`.
    pub fn id_suffix(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => "bp",
            VitalSign::Weight => "weight",
            VitalSign::Height => "height",
            VitalSign::HeartRate => "heart-rate",
            VitalSign::Temperature => "temperature",
            VitalSign::RespiratoryRate => "respiratory-rate",
            VitalSign::Spo2 => "spo2",
            VitalSign::Bmi => "bmi",
        }
    }

    /// The vital sign an id suffix names.
    pub fn parse(suffix: &str) -> Option<VitalSign> {
        VitalSign::ALL.into_iter().find(|sign| sign.id_suffix() == suffix)
    }

    /// The name of its R4 vital-signs profile.
    fn profile(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => "bp",
            VitalSign::Weight => "bodyweight",
            VitalSign::Height => "bodyheight",
            VitalSign::HeartRate => "heartrate",
            VitalSign::Temperature => "bodytemp",
            VitalSign::RespiratoryRate => "resprate",
            VitalSign::Spo2 => "oxygensat",
            VitalSign::Bmi => "bmi",
        }
    }

    /// Its LOINC codings; the profile's required code first (oxygensat requires 2708-6, the
    /// clinic measures by pulse oximetry, 59408-5).
    fn codes(self) -> &'static [Loinc] {
        match self {
            VitalSign::BloodPressure => {
                &[Loinc("85354-9", "Blood pressure panel with all children optional")]
            }
            VitalSign::Weight => &[Loinc("29463-7", "Body weight")],
            VitalSign::Height => &[Loinc("8302-2", "Body height")],
            VitalSign::HeartRate => &[Loinc("8867-4", "Heart rate")],
            VitalSign::Temperature => &[Loinc("8310-5", "Body temperature")],
            VitalSign::RespiratoryRate => &[Loinc("9279-1", "Respiratory rate")],
            VitalSign::Spo2 => &[
                Loinc("2708-6", "Oxygen saturation in Arterial blood"),
                Loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            ],
            VitalSign::Bmi => &[Loinc("39156-5", "Body mass index (BMI) [Ratio]")],
        }
    }

    /// Its LOINC codes, the profile's required one first.
    pub fn loinc_codes(self) -> impl Iterator<Item = &'static str> {
        self.codes().iter().map(|loinc| loinc.0)
    }

    /// The displays of its LOINC codes, in the order of [`VitalSign::loinc_codes`].
    pub fn loinc_displays(self) -> impl Iterator<Item = &'static str> {
        self.codes().iter().map(|loinc| loinc.1)
    }

    /// The human-readable unit; the UCUM code itself except where it is not meant for display.
    pub fn unit(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => "mmHg",
            other => other.ucum(),
        }
    }

    /// The UCUM code of its value (of both components for blood pressure).
    pub fn ucum(self) -> &'static str {
        match self {
            VitalSign::BloodPressure => "mm[Hg]",
            VitalSign::Weight => "kg",
            VitalSign::Height => "cm",
            VitalSign::HeartRate | VitalSign::RespiratoryRate => "/min",
            VitalSign::Temperature => "Cel",
            VitalSign::Spo2 => "%",
            VitalSign::Bmi => "kg/m2",
        }
    }
}

/// The id of an Observation: which row it is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObservationId {
    /// `vs-{vital_signs.id}-{suffix}`
    Vital(i64, VitalSign),
    /// `lab-{lab_results.id}`
    Lab(i64),
}

impl fmt::Display for ObservationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObservationId::Vital(row, sign) => write!(f, "vs-{row}-{}", sign.id_suffix()),
            ObservationId::Lab(row) => write!(f, "lab-{row}"),
        }
    }
}

/// The row an Observation id names; `None` for anything this server never hands out.
pub fn parse_observation_id(id: &str) -> Option<ObservationId> {
    if let Some(rest) = id.strip_prefix("vs-") {
        let (row, suffix) = rest.split_once('-')?;
        Some(ObservationId::Vital(row_key(row)?, VitalSign::parse(suffix)?))
    } else {
        id.strip_prefix("lab-").and_then(row_key).map(ObservationId::Lab)
    }
}

/// A row key written the one way `Display` writes it (no sign, no leading zeros), so one row
/// has one id.
fn row_key(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|key| *key > 0 && key.to_string() == text)
}

/// The measured number(s) of a vital-sign write, in the column types. BMI is derived from weight
/// and height and cannot be written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VitalValues {
    BloodPressure { systolic: i32, diastolic: i32 },
    WeightKg(f64),
    HeightCm(f64),
    HeartRate(i32),
    TemperatureC(f64),
    RespiratoryRate(i32),
    Spo2(i32),
}

/// What a vital-sign Observation write says.
#[derive(Debug, Clone, PartialEq)]
pub struct VitalSignWrite {
    pub visit_id: i64,
    pub measured_at: NaiveDateTime,
    pub sign: VitalSign,
    pub values: VitalValues,
}

impl VitalSignWrite {
    /// Sets the visit, the time and this sign's column(s) of a vital_signs row, leaving the
    /// other measurements alone. The time is the row's: it is also the effective time of the
    /// row's other vital-sign Observations.
    pub fn apply_to(&self, fields: &mut VitalSignsFields) {
        fields.visit_id = self.visit_id;
        fields.measured_at = self.measured_at;
        match self.values {
            VitalValues::BloodPressure { systolic, diastolic } => {
                fields.bp_systolic = Some(systolic);
                fields.bp_diastolic = Some(diastolic);
            }
            VitalValues::WeightKg(kg) => fields.weight_kg = Some(kg),
            VitalValues::HeightCm(cm) => fields.height_cm = Some(cm),
            VitalValues::HeartRate(rate) => fields.pulse_rate = Some(rate),
            VitalValues::TemperatureC(celsius) => fields.temperature_c = Some(celsius),
            VitalValues::RespiratoryRate(rate) => fields.respiratory_rate = Some(rate),
            VitalValues::Spo2(percent) => fields.spo2 = Some(percent),
        }
    }
}

/// Every vital sign the row holds, in `VitalSign::ALL` order.
pub fn vital_signs_to_fhir(row: &VitalSignsRow, patient_id: i64, ctx: &MappingContext) -> Vec<Value> {
    VitalSign::ALL.into_iter().filter_map(|sign| vital_sign_to_fhir(row, sign, patient_id, ctx)).collect()
}

/// One vital sign of the row; `None` when it was not measured (blood pressure needs both
/// numbers, BMI both weight and height).
pub fn vital_sign_to_fhir(
    row: &VitalSignsRow,
    sign: VitalSign,
    patient_id: i64,
    ctx: &MappingContext,
) -> Option<Value> {
    let f = &row.fields;
    let quantity = |value: Value| json!({"value": value, "unit": sign.unit(), "system": systems::UCUM, "code": sign.ucum()});
    let (value, components) = match sign {
        VitalSign::BloodPressure => {
            let component = |code: &Loinc, value: i32| json!({"code": {"coding": [loinc(code)]}, "valueQuantity": quantity(json!(value))});
            (
                None,
                Some(json!([component(&SYSTOLIC, f.bp_systolic?), component(&DIASTOLIC, f.bp_diastolic?)])),
            )
        }
        VitalSign::Weight => (Some(quantity(json!(f.weight_kg?))), None),
        VitalSign::Height => (Some(quantity(json!(f.height_cm?))), None),
        VitalSign::HeartRate => (Some(quantity(json!(f.pulse_rate?))), None),
        VitalSign::Temperature => (Some(quantity(json!(f.temperature_c?))), None),
        VitalSign::RespiratoryRate => (Some(quantity(json!(f.respiratory_rate?))), None),
        VitalSign::Spo2 => (Some(quantity(json!(f.spo2?))), None),
        VitalSign::Bmi => (Some(quantity(json!(bmi(f.weight_kg?, f.height_cm?)?))), None),
    };

    let mut observation = Map::new();
    observation.insert("resourceType".into(), json!("Observation"));
    observation.insert("id".into(), json!(ObservationId::Vital(row.id, sign).to_string()));
    let mut meta = meta(row.version, row.updated_at, ctx);
    meta["profile"] = json!([format!("{}{}", systems::CORE_PROFILE_PREFIX, sign.profile())]);
    observation.insert("meta".into(), meta);
    observation.insert("status".into(), json!("final"));
    observation.insert(
        "category".into(),
        json!([{"coding": [{"system": systems::OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}]),
    );
    observation.insert("code".into(), json!({"coding": sign.codes().iter().map(loinc).collect::<Vec<_>>()}));
    observation.insert("subject".into(), reference("Patient", patient_id));
    observation.insert("encounter".into(), reference("Encounter", f.visit_id));
    observation.insert("effectiveDateTime".into(), json!(ctx.instant(f.measured_at)));
    if let Some(value) = value {
        observation.insert("valueQuantity".into(), value);
    }
    if let Some(components) = components {
        observation.insert("component".into(), components);
    }
    Some(Value::Object(observation))
}

fn loinc(code: &Loinc) -> Value {
    json!({"system": systems::LOINC, "code": code.0, "display": code.1})
}

/// Body mass index to one decimal, as clinics report it; `None` for an impossible height.
fn bmi(weight_kg: f64, height_cm: f64) -> Option<f64> {
    let height_m = height_cm / 100.0;
    let bmi = (weight_kg / (height_m * height_m) * 10.0).round() / 10.0;
    (height_cm > 0.0 && bmi.is_finite()).then_some(bmi)
}

/// Whether an Observation is a vital sign (category vital-signs), written with
/// [`vital_sign_from_fhir`] rather than [`lab_result_from_fhir`].
pub fn is_vital_sign(resource: &Value) -> bool {
    array(resource, "category")
        .iter()
        .flat_map(|category| array(category, "coding"))
        .any(|coding| coding["system"] == systems::OBSERVATION_CATEGORY && coding["code"] == "vital-signs")
}

/// What a vital-sign Observation a client sent says, or every problem that stops it being stored
/// exactly as sent.
pub fn vital_sign_from_fhir(resource: &Value, ctx: &MappingContext) -> Result<VitalSignWrite, Vec<Issue>> {
    let mut issues = Vec::new();
    match resource["status"].as_str() {
        Some("final") => {}
        Some(other) => issues.push(
            Issue::error(IssueType::CodeInvalid, format!("status '{other}': vital signs are kept as final"))
                .at("Observation.status"),
        ),
        None => issues.push(required("Observation.status")),
    }
    let sign = read_vital_sign_code(&resource["code"], &mut issues);
    let (patient_id, visit_id) = read_subject_and_encounter(resource, &mut issues);
    let measured_at = match &resource["effectiveDateTime"] {
        Value::Null => {
            issues.push(required("Observation.effectiveDateTime"));
            None
        }
        effective => date_time(effective, "Observation.effectiveDateTime", ctx, &mut issues),
    };
    let values = sign.and_then(|sign| read_vital_values(resource, sign, &mut issues));

    // Mapped back only when every part was read and nothing else was wrong.
    let (Some(sign), Some(patient_id), Some(visit_id), Some(measured_at), Some(values), true) =
        (sign, patient_id, visit_id, measured_at, values, issues.is_empty())
    else {
        return Err(issues);
    };
    let write = VitalSignWrite { visit_id, measured_at, sign, values };
    let mut fields = VitalSignsFields::default();
    write.apply_to(&mut fields);
    let stored = VitalSignsRow { id: 0, fields, updated_at: Default::default(), version: 1 };
    let issues = vital_sign_to_fhir(&stored, sign, patient_id, ctx)
        .map_or_else(Vec::new, |back| unstored_elements(resource, &back, "Observation"));
    if issues.is_empty() { Ok(write) } else { Err(issues) }
}

/// The vital sign a LOINC coding of `code` names.
fn read_vital_sign_code(code: &Value, issues: &mut Vec<Issue>) -> Option<VitalSign> {
    if code.is_null() {
        issues.push(required("Observation.code"));
        return None;
    }
    let sign =
        array(code, "coding").iter().filter(|coding| coding["system"] == systems::LOINC).find_map(|coding| {
            VitalSign::ALL.into_iter().find(|sign| sign.codes().iter().any(|loinc| coding["code"] == loinc.0))
        });
    match sign {
        Some(VitalSign::Bmi) => {
            issues.push(
                Issue::error(
                    IssueType::BusinessRule,
                    "BMI is computed from the weight and height of the same measurement; write those",
                )
                .at("Observation.code"),
            );
            None
        }
        Some(sign) => Some(sign),
        None => {
            issues.push(
                Issue::error(
                    IssueType::CodeInvalid,
                    "not a vital sign this server keeps: expected a LOINC code of blood pressure (85354-9), \
                     body weight, body height, heart rate, body temperature, respiratory rate or SpO2",
                )
                .at("Observation.code"),
            );
            None
        }
    }
}

/// `subject` (a Patient) and `encounter` (the visit), both required.
fn read_subject_and_encounter(resource: &Value, issues: &mut Vec<Issue>) -> (Option<i64>, Option<i64>) {
    let patient = match &resource["subject"] {
        Value::Null => {
            issues.push(required("Observation.subject"));
            None
        }
        subject => read_reference(subject, "Patient", "Observation.subject", issues),
    };
    let visit = match &resource["encounter"] {
        Value::Null => {
            issues.push(
                Issue::error(
                    IssueType::Required,
                    "the clinic keeps observations per visit: encounter is required",
                )
                .at("Observation.encounter"),
            );
            None
        }
        encounter => read_reference(encounter, "Encounter", "Observation.encounter", issues),
    };
    (patient, visit)
}

fn read_vital_values(resource: &Value, sign: VitalSign, issues: &mut Vec<Issue>) -> Option<VitalValues> {
    let path = "Observation.valueQuantity";
    let quantity = &resource["valueQuantity"];
    match sign {
        VitalSign::BloodPressure => read_blood_pressure(resource, issues),
        VitalSign::Weight => read_quantity(quantity, sign.ucum(), path, issues).map(VitalValues::WeightKg),
        VitalSign::Height => read_quantity(quantity, sign.ucum(), path, issues).map(VitalValues::HeightCm),
        VitalSign::Temperature => {
            read_quantity(quantity, sign.ucum(), path, issues).map(VitalValues::TemperatureC)
        }
        VitalSign::HeartRate => read_whole(quantity, sign.ucum(), path, issues).map(VitalValues::HeartRate),
        VitalSign::RespiratoryRate => {
            read_whole(quantity, sign.ucum(), path, issues).map(VitalValues::RespiratoryRate)
        }
        VitalSign::Spo2 => read_whole(quantity, sign.ucum(), path, issues).map(VitalValues::Spo2),
        VitalSign::Bmi => None,
    }
}

fn read_blood_pressure(resource: &Value, issues: &mut Vec<Issue>) -> Option<VitalValues> {
    let components = array(resource, "component");
    let find = |code: &Loinc| {
        components.iter().position(|component| {
            array(&component["code"], "coding")
                .iter()
                .any(|coding| coding["system"] == systems::LOINC && coding["code"] == code.0)
        })
    };
    let (Some(systolic), Some(diastolic)) = (find(&SYSTOLIC), find(&DIASTOLIC)) else {
        issues.push(
            Issue::error(
                IssueType::Required,
                "a blood pressure needs a systolic (LOINC 8480-6) and a diastolic (8462-4) component",
            )
            .at("Observation.component"),
        );
        return None;
    };
    let mut read = |index: usize| {
        let path = format!("Observation.component[{index}].valueQuantity");
        read_whole(&components[index]["valueQuantity"], VitalSign::BloodPressure.ucum(), &path, issues)
    };
    let (systolic, diastolic) = (read(systolic), read(diastolic));
    Some(VitalValues::BloodPressure { systolic: systolic?, diastolic: diastolic? })
}

/// The value of a UCUM quantity in `ucum` units (no conversion: the column has one unit).
fn read_quantity(quantity: &Value, ucum: &str, path: &str, issues: &mut Vec<Issue>) -> Option<f64> {
    if quantity.is_null() {
        issues.push(required(path));
        return None;
    }
    let mut unit_ok = true;
    if quantity["system"] != systems::UCUM {
        issues.push(
            Issue::error(IssueType::CodeInvalid, format!("units must be UCUM ({})", systems::UCUM))
                .at(format!("{path}.system")),
        );
        unit_ok = false;
    }
    if quantity["code"] != ucum {
        issues.push(
            Issue::error(IssueType::CodeInvalid, format!("the unit must be UCUM '{ucum}'"))
                .at(format!("{path}.code")),
        );
        unit_ok = false;
    }
    let value = quantity["value"].as_f64();
    if value.is_none() {
        issues.push(required(&format!("{path}.value")));
    }
    value.filter(|_| unit_ok)
}

/// The value of a UCUM quantity kept in an integer column.
fn read_whole(quantity: &Value, ucum: &str, path: &str, issues: &mut Vec<Issue>) -> Option<i32> {
    let value = read_quantity(quantity, ucum, path, issues)?;
    let whole =
        (value.fract() == 0.0 && (0.0..=f64::from(i32::MAX)).contains(&value)).then_some(value as i32);
    if whole.is_none() {
        issues.push(
            Issue::error(IssueType::Value, "this measurement is kept as a whole, non-negative number")
                .at(format!("{path}.value")),
        );
    }
    whole
}

/// Lab statuses and the Observation statuses they are.
pub const LAB_STATUSES: [(&str, &str); 5] = [
    ("ordered", "registered"),
    ("preliminary", "preliminary"),
    ("final", "final"),
    ("corrected", "corrected"),
    ("cancelled", "cancelled"),
];

/// Lab flags, the codes of v3-ObservationInterpretation, with their displays.
const FLAGS: [(&str, &str); 6] = [
    ("N", "Normal"),
    ("L", "Low"),
    ("H", "High"),
    ("LL", "Critical low"),
    ("HH", "Critical high"),
    ("A", "Abnormal"),
];

/// A lab result. `valueQuantity` carries no UCUM system: the clinic's units are free text. A
/// row with both a number and a text gives the number.
pub fn lab_result_to_fhir(row: &LabResultRow, patient_id: i64, ctx: &MappingContext) -> Value {
    let l = &row.fields;
    let mut observation = Map::new();
    observation.insert("resourceType".into(), json!("Observation"));
    observation.insert("id".into(), json!(ObservationId::Lab(row.id).to_string()));
    observation.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let status =
        LAB_STATUSES.iter().find(|(clinic, _)| *clinic == l.status).map_or("unknown", |(_, fhir)| fhir);
    observation.insert("status".into(), json!(status));
    observation.insert(
        "category".into(),
        json!([{"coding": [{"system": systems::OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}]),
    );
    let mut codings = Vec::new();
    if let Some(loinc) = &l.loinc_code {
        codings.push(json!({"system": systems::LOINC, "code": loinc}));
    }
    codings.push(json!({"system": systems::LAB_TEST, "code": l.local_code}));
    observation.insert("code".into(), json!({"coding": codings, "text": l.test_name}));
    observation.insert("subject".into(), reference("Patient", patient_id));
    observation.insert("encounter".into(), reference("Encounter", l.visit_id));
    if let Some(collected) = l.collected_at {
        observation.insert("effectiveDateTime".into(), json!(ctx.instant(collected)));
    }
    if let Some(reported) = l.reported_at {
        observation.insert("issued".into(), json!(ctx.instant(reported)));
    }
    if let Some(value) = l.value_numeric {
        observation.insert("valueQuantity".into(), lab_quantity(value, &l.unit));
    } else if let Some(value) = &l.value_text {
        observation.insert("valueString".into(), json!(value));
    }
    if let Some((code, display)) =
        l.flag.as_deref().and_then(|flag| FLAGS.iter().find(|(code, _)| *code == flag))
    {
        observation.insert(
            "interpretation".into(),
            json!([{"coding": [{"system": systems::V3_OBSERVATION_INTERPRETATION, "code": code, "display": display}]}]),
        );
    }
    let mut range = Map::new();
    if let Some(low) = l.ref_low {
        range.insert("low".into(), lab_quantity(low, &l.unit));
    }
    if let Some(high) = l.ref_high {
        range.insert("high".into(), lab_quantity(high, &l.unit));
    }
    if let Some(text) = &l.ref_text {
        range.insert("text".into(), json!(text));
    }
    if !range.is_empty() {
        observation.insert("referenceRange".into(), json!([range]));
    }
    Value::Object(observation)
}

fn lab_quantity(value: f64, unit: &Option<String>) -> Value {
    let mut quantity = Map::new();
    quantity.insert("value".into(), json!(value));
    if let Some(unit) = unit {
        quantity.insert("unit".into(), json!(unit));
    }
    Value::Object(quantity)
}

/// The lab_results columns for a lab Observation a client sent, or every problem that stops it
/// being stored exactly as sent. The clinic's own test code and the test name are required.
pub fn lab_result_from_fhir(resource: &Value, ctx: &MappingContext) -> Result<LabResultFields, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut l = LabResultFields::default();
    match resource["status"].as_str() {
        Some(code) => {
            if let Some((clinic, _)) =
                read_code(code, &LAB_STATUSES, |(_, fhir)| fhir, "Observation.status", &mut issues)
            {
                l.status = (*clinic).to_owned();
            }
        }
        None => issues.push(required("Observation.status")),
    }
    let codings = array(&resource["code"], "coding");
    l.loinc_code =
        codings.iter().find(|coding| coding["system"] == systems::LOINC).and_then(|c| text(&c["code"]));
    match codings.iter().find(|coding| coding["system"] == systems::LAB_TEST).and_then(|c| text(&c["code"])) {
        Some(local_code) => l.local_code = local_code,
        None => issues.push(
            Issue::error(
                IssueType::Required,
                format!("the clinic's test code is required, as a coding from {}", systems::LAB_TEST),
            )
            .at("Observation.code.coding"),
        ),
    }
    match text(&resource["code"]["text"]) {
        Some(name) => l.test_name = name,
        None => issues.push(required("Observation.code.text")),
    }
    let (patient_id, visit_id) = read_subject_and_encounter(resource, &mut issues);
    l.visit_id = visit_id.unwrap_or(0);
    l.collected_at =
        date_time(&resource["effectiveDateTime"], "Observation.effectiveDateTime", ctx, &mut issues);
    l.reported_at = date_time(&resource["issued"], "Observation.issued", ctx, &mut issues);
    let quantity = &resource["valueQuantity"];
    if !quantity.is_null() {
        l.value_numeric = quantity["value"].as_f64();
        if l.value_numeric.is_none() {
            issues.push(required("Observation.valueQuantity.value"));
        }
        l.unit = text(&quantity["unit"]);
    }
    l.value_text = text(&resource["valueString"]);
    if let Some(interpretation) = array(resource, "interpretation").first() {
        l.flag = read_flag(interpretation, &mut issues);
    }
    if let Some(range) = array(resource, "referenceRange").first() {
        l.ref_low = range["low"]["value"].as_f64();
        l.ref_high = range["high"]["value"].as_f64();
        l.ref_text = text(&range["text"]);
    }

    if issues.is_empty()
        && let Some(patient_id) = patient_id
    {
        let stored = LabResultRow { id: 0, fields: l.clone(), updated_at: Default::default(), version: 1 };
        issues = unstored_elements(resource, &lab_result_to_fhir(&stored, patient_id, ctx), "Observation");
    }
    if issues.is_empty() { Ok(l) } else { Err(issues) }
}

fn read_flag(interpretation: &Value, issues: &mut Vec<Issue>) -> Option<String> {
    let path = "Observation.interpretation[0]";
    let Some((j, coding)) = array(interpretation, "coding")
        .iter()
        .enumerate()
        .find(|(_, coding)| coding["system"] == systems::V3_OBSERVATION_INTERPRETATION)
    else {
        issues.push(
            Issue::error(
                IssueType::CodeInvalid,
                format!(
                    "the interpretation must be a coding from {}",
                    systems::V3_OBSERVATION_INTERPRETATION
                ),
            )
            .at(path),
        );
        return None;
    };
    let code = coding["code"].as_str().unwrap_or_default();
    read_code(code, &FLAGS, |(code, _)| code, &format!("{path}.coding[{j}].code"), issues)
        .map(|(code, _)| (*code).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    fn at(local: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn vitals() -> VitalSignsRow {
        VitalSignsRow {
            id: 12,
            fields: VitalSignsFields {
                visit_id: 501,
                measured_at: at("2026-01-05 09:40:00"),
                weight_kg: Some(68.5),
                height_cm: Some(172.0),
                bp_systolic: Some(128),
                bp_diastolic: Some(82),
                pulse_rate: Some(76),
                temperature_c: Some(37.2),
                respiratory_rate: Some(18),
                spo2: Some(98),
            },
            updated_at: at("2026-01-05 09:41:00"),
            version: 1,
        }
    }

    fn lab() -> LabResultRow {
        LabResultRow {
            id: 77,
            fields: LabResultFields {
                visit_id: 501,
                local_code: "GLU-F".into(),
                loinc_code: Some("1558-6".into()),
                test_name: "Fasting blood sugar".into(),
                value_numeric: Some(132.0),
                value_text: None,
                unit: Some("mg/dL".into()),
                ref_low: Some(70.0),
                ref_high: Some(100.0),
                ref_text: Some("70-100 mg/dL".into()),
                flag: Some("H".into()),
                status: "final".into(),
                collected_at: Some(at("2026-01-05 08:00:00")),
                reported_at: Some(at("2026-01-05 11:30:00")),
            },
            updated_at: at("2026-01-05 11:30:00"),
            version: 3,
        }
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|issue| issue.expression.clone()).collect()
    }

    #[test]
    fn ids_parse_and_format_back() {
        for id in ["vs-12-bp", "vs-12-heart-rate", "vs-1-respiratory-rate", "lab-77"] {
            assert_eq!(parse_observation_id(id).unwrap().to_string(), id);
        }
        assert_eq!(parse_observation_id("vs-12-spo2"), Some(ObservationId::Vital(12, VitalSign::Spo2)));
        assert_eq!(parse_observation_id("lab-77"), Some(ObservationId::Lab(77)));
        for id in ["vs-12", "vs-12-pulse", "vs--1-bp", "vs-012-bp", "lab-+7", "lab-0", "lab-", "77", "lab-7x"]
        {
            assert_eq!(parse_observation_id(id), None, "{id}");
        }
    }

    #[test]
    fn a_row_gives_every_measured_sign_in_order() {
        let observations = vital_signs_to_fhir(&vitals(), 42, &ctx());
        let ids: Vec<&str> = observations.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "vs-12-bp",
                "vs-12-weight",
                "vs-12-height",
                "vs-12-heart-rate",
                "vs-12-temperature",
                "vs-12-respiratory-rate",
                "vs-12-spo2",
                "vs-12-bmi"
            ]
        );
        let mut partial = vitals();
        partial.fields.bp_diastolic = None;
        partial.fields.height_cm = None;
        let ids: Vec<String> =
            vital_signs_to_fhir(&partial, 42, &ctx()).iter().map(|o| o["id"].to_string()).collect();
        assert_eq!(ids.len(), 5, "no bp, height or bmi: {ids:?}");
    }

    #[test]
    fn blood_pressure_follows_the_bp_profile() {
        let bp = vital_sign_to_fhir(&vitals(), VitalSign::BloodPressure, 42, &ctx()).unwrap();
        let names: Vec<&str> = bp.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "status",
                "category",
                "code",
                "subject",
                "encounter",
                "effectiveDateTime",
                "component"
            ]
        );
        assert_eq!(bp["meta"]["profile"][0], "http://hl7.org/fhir/StructureDefinition/bp");
        assert_eq!(bp["status"], "final");
        assert_eq!(bp["category"][0]["coding"][0]["code"], "vital-signs");
        assert_eq!(bp["code"]["coding"][0]["code"], "85354-9");
        assert_eq!(bp["subject"]["reference"], "Patient/42");
        assert_eq!(bp["encounter"]["reference"], "Encounter/501");
        assert_eq!(bp["effectiveDateTime"], "2026-01-05T09:40:00+07:00");
        assert_eq!(bp["component"][0]["code"]["coding"][0]["code"], "8480-6");
        assert_eq!(bp["component"][0]["valueQuantity"]["value"], 128);
        assert_eq!(bp["component"][0]["valueQuantity"]["code"], "mm[Hg]");
        assert_eq!(bp["component"][1]["code"]["coding"][0]["code"], "8462-4");
        assert_eq!(bp["component"][1]["valueQuantity"]["value"], 82);
    }

    #[test]
    fn single_value_signs_carry_loinc_and_ucum() {
        let row = vitals();
        let sign = |sign| vital_sign_to_fhir(&row, sign, 42, &ctx()).unwrap();
        let weight = sign(VitalSign::Weight);
        assert_eq!(weight["meta"]["profile"][0], "http://hl7.org/fhir/StructureDefinition/bodyweight");
        assert_eq!(weight["code"]["coding"][0]["code"], "29463-7");
        assert_eq!(
            weight["valueQuantity"],
            json!({"value": 68.5, "unit": "kg", "system": systems::UCUM, "code": "kg"})
        );
        assert_eq!(sign(VitalSign::Temperature)["valueQuantity"]["code"], "Cel");
        assert_eq!(sign(VitalSign::HeartRate)["valueQuantity"]["code"], "/min");
        let spo2 = sign(VitalSign::Spo2);
        assert_eq!(spo2["code"]["coding"][0]["code"], "2708-6");
        assert_eq!(spo2["code"]["coding"][1]["code"], "59408-5");
        assert_eq!(spo2["valueQuantity"]["code"], "%");
        let bmi = sign(VitalSign::Bmi);
        assert_eq!(bmi["code"]["coding"][0]["code"], "39156-5");
        assert_eq!(bmi["valueQuantity"]["value"], 23.2); // 68.5 / 1.72^2 = 23.15...
        assert_eq!(bmi["valueQuantity"]["code"], "kg/m2");
    }

    #[test]
    fn every_writable_sign_round_trips() {
        let row = vitals();
        for sign in VitalSign::ALL.into_iter().filter(|sign| *sign != VitalSign::Bmi) {
            let observation = vital_sign_to_fhir(&row, sign, 42, &ctx()).unwrap();
            assert!(is_vital_sign(&observation));
            let write = vital_sign_from_fhir(&observation, &ctx()).unwrap();
            assert_eq!(write.sign, sign);
            assert_eq!((write.visit_id, write.measured_at), (501, row.fields.measured_at));
            let mut fields = row.fields.clone();
            write.apply_to(&mut fields);
            assert_eq!(fields, row.fields, "{sign:?}");
            assert_eq!(crate::subject_patient_id(&observation), Some(42));
        }
        let bp = vital_sign_to_fhir(&row, VitalSign::BloodPressure, 42, &ctx()).unwrap();
        assert_eq!(
            vital_sign_from_fhir(&bp, &ctx()).unwrap().values,
            VitalValues::BloodPressure { systolic: 128, diastolic: 82 }
        );
    }

    #[test]
    fn bmi_cannot_be_written() {
        let bmi = vital_sign_to_fhir(&vitals(), VitalSign::Bmi, 42, &ctx()).unwrap();
        let issues = vital_sign_from_fhir(&bmi, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.code"]);
        assert_eq!(issues[0].code, IssueType::BusinessRule);
    }

    #[test]
    fn a_vital_sign_needs_its_visit_and_its_ucum_unit() {
        let mut weight = vital_sign_to_fhir(&vitals(), VitalSign::Weight, 42, &ctx()).unwrap();
        weight.as_object_mut().unwrap().remove("encounter");
        weight["valueQuantity"]["code"] = json!("[lb_av]");
        weight["status"] = json!("amended");
        let issues = vital_sign_from_fhir(&weight, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            ["Observation.status", "Observation.encounter", "Observation.valueQuantity.code"]
        );

        let mut pulse = vital_sign_to_fhir(&vitals(), VitalSign::HeartRate, 42, &ctx()).unwrap();
        pulse["valueQuantity"]["value"] = json!(76.5);
        let issues = vital_sign_from_fhir(&pulse, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.valueQuantity.value"]);

        let mut bp = vital_sign_to_fhir(&vitals(), VitalSign::BloodPressure, 42, &ctx()).unwrap();
        bp["component"].as_array_mut().unwrap().pop();
        let issues = vital_sign_from_fhir(&bp, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.component"]);
    }

    #[test]
    fn vital_sign_elements_the_clinic_cannot_keep_are_refused() {
        let mut temperature = vital_sign_to_fhir(&vitals(), VitalSign::Temperature, 42, &ctx()).unwrap();
        temperature["bodySite"] = json!({"text": "axilla"});
        temperature["subject"] = json!({"reference": "Group/1"});
        let issues = vital_sign_from_fhir(&temperature, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.subject.reference"]);
        temperature["subject"] = json!({"reference": "Patient/42"});
        let issues = vital_sign_from_fhir(&temperature, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.bodySite"]);
        assert_eq!(issues[0].code, IssueType::NotSupported);

        let mut code = vital_sign_to_fhir(&vitals(), VitalSign::Height, 42, &ctx()).unwrap();
        code["code"]["coding"][0]["code"] = json!("8287-5");
        let issues = vital_sign_from_fhir(&code, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.code"]);
        assert_eq!(issues[0].code, IssueType::CodeInvalid);
    }

    #[test]
    fn a_lab_result_reads_as_a_laboratory_observation() {
        let observation = lab_result_to_fhir(&lab(), 42, &ctx());
        let names: Vec<&str> = observation.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "status",
                "category",
                "code",
                "subject",
                "encounter",
                "effectiveDateTime",
                "issued",
                "valueQuantity",
                "interpretation",
                "referenceRange"
            ]
        );
        assert_eq!(observation["id"], "lab-77");
        assert_eq!(observation["status"], "final");
        assert_eq!(observation["category"][0]["coding"][0]["code"], "laboratory");
        assert_eq!(observation["code"]["coding"][0], json!({"system": systems::LOINC, "code": "1558-6"}));
        assert_eq!(observation["code"]["coding"][1], json!({"system": systems::LAB_TEST, "code": "GLU-F"}));
        assert_eq!(observation["code"]["text"], "Fasting blood sugar");
        assert_eq!(observation["issued"], "2026-01-05T11:30:00+07:00");
        assert_eq!(observation["valueQuantity"], json!({"value": 132.0, "unit": "mg/dL"}));
        assert_eq!(observation["interpretation"][0]["coding"][0]["code"], "H");
        assert_eq!(
            observation["referenceRange"][0],
            json!({"low": {"value": 70.0, "unit": "mg/dL"}, "high": {"value": 100.0, "unit": "mg/dL"}, "text": "70-100 mg/dL"})
        );
        assert!(!is_vital_sign(&observation));

        let mut ordered = lab();
        ordered.fields.status = "ordered".into();
        ordered.fields.value_numeric = None;
        ordered.fields.value_text = Some("pending".into());
        let observation = lab_result_to_fhir(&ordered, 42, &ctx());
        assert_eq!(observation["status"], "registered");
        assert_eq!(observation["valueString"], "pending");
    }

    #[test]
    fn a_lab_result_round_trips() {
        let row = lab();
        assert_eq!(lab_result_from_fhir(&lab_result_to_fhir(&row, 42, &ctx()), &ctx()).unwrap(), row.fields);
        let mut text_only = lab();
        text_only.fields = LabResultFields {
            loinc_code: None,
            value_numeric: None,
            value_text: Some("Positive".into()),
            unit: None,
            ref_low: None,
            ref_high: None,
            ref_text: None,
            flag: Some("A".into()),
            status: "preliminary".into(),
            collected_at: None,
            reported_at: None,
            ..text_only.fields
        };
        let observation = lab_result_to_fhir(&text_only, 42, &ctx());
        assert_eq!(lab_result_from_fhir(&observation, &ctx()).unwrap(), text_only.fields);
    }

    #[test]
    fn lab_codes_and_elements_the_clinic_cannot_keep_are_refused() {
        let mut observation = lab_result_to_fhir(&lab(), 42, &ctx());
        observation["status"] = json!("amended");
        observation["interpretation"][0]["coding"][0]["code"] = json!("POS");
        let issues = lab_result_from_fhir(&observation, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.status", "Observation.interpretation[0].coding[0].code"]);
        assert!(issues.iter().all(|issue| issue.code == IssueType::CodeInvalid));

        let mut observation = lab_result_to_fhir(&lab(), 42, &ctx());
        observation["valueQuantity"]["system"] = json!(systems::UCUM);
        observation["specimen"] = json!({"reference": "Specimen/1"});
        let issues = lab_result_from_fhir(&observation, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.valueQuantity.system", "Observation.specimen"]);

        let mut observation = lab_result_to_fhir(&lab(), 42, &ctx());
        observation["code"]["coding"].as_array_mut().unwrap().pop();
        observation.as_object_mut().unwrap().remove("encounter");
        let issues = lab_result_from_fhir(&observation, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Observation.code.coding", "Observation.encounter"]);
    }
}
