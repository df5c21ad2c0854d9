//! Branches, doctors, insurers, drugs and doctor schedules: the same fixed set for every seed.
//! Rows already present (found by their natural keys) are reused, so seeding twice adds
//! patients without duplicating the clinic's set-up.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clinic_db::{DbConnection, schema};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::catalog::{
    BRANCHES, DRUGS, FEMALE_FIRST_NAMES, INSURERS, LAST_NAMES, MALE_FIRST_NAMES, SPECIALTIES, tmt_code,
};
use crate::tables::{Batch, NextIds, SeedTable};

/// The doctor roster is the same whatever the patients' random seed, so a second run finds
/// the doctors the first one inserted.
const ROSTER_SEED: u64 = 0x5EED_D0C7;
/// Medical Council licence numbers of the roster: 5 digits, spaced so none repeat.
const FIRST_LICENSE: u32 = 12_000;
const LICENSE_STEP: u32 = 719;
/// The catalogue lists general practice, family medicine and internal medicine first.
const PRIMARY_CARE_SPECIALTIES: usize = 3;

/// Database ids of the reference rows, in catalogue order.
pub(crate) struct Reference {
    pub branches: Vec<BranchStaff>,
    pub insurer_ids: Vec<i64>,
    pub drug_ids: Vec<i64>,
}

pub(crate) struct BranchStaff {
    pub id: i64,
    pub doctor_ids: Vec<i64>,
    /// General practitioners, family physicians and internists: who patients register with.
    pub primary_care_ids: Vec<i64>,
}

struct RosterDoctor {
    /// Position in the roster.
    number: u32,
    license_no: String,
    female: bool,
    first: usize,
    last: usize,
    specialty: &'static str,
    branch: usize,
}

/// Inserts whatever part of the reference set is missing; returns the ids of all of it and
/// the number of rows inserted.
pub(crate) fn ensure(
    conn: &mut DbConnection,
    ids: &mut NextIds,
    now: NaiveDateTime,
) -> QueryResult<(Reference, u64)> {
    let mut batch = Batch::new(conn.backend());

    let existing: HashMap<String, i64> = schema::branches::table
        .select((schema::branches::code, schema::branches::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let branch_ids: Vec<i64> = BRANCHES
        .iter()
        .map(|branch| {
            existing.get(branch.code).copied().unwrap_or_else(|| {
                let id = ids.take(SeedTable::Branches);
                batch.push(
                    SeedTable::Branches,
                    &[
                        id.into(),
                        branch.code.into(),
                        branch.hcode.into(),
                        branch.name_th.into(),
                        branch.name_en.into(),
                        "clinic".into(),
                        branch.phone.into(),
                        branch.email.into(),
                        branch.address_line.into(),
                        branch.place.sub_district.into(),
                        branch.place.district.into(),
                        branch.place.province.into(),
                        branch.place.postal_code.into(),
                        true.into(),
                        now.into(),
                        1.into(),
                    ],
                );
                id
            })
        })
        .collect();

    let existing: HashMap<String, i64> = schema::insurers::table
        .select((schema::insurers::code, schema::insurers::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let insurer_ids = INSURERS
        .iter()
        .map(|insurer| {
            existing.get(insurer.code).copied().unwrap_or_else(|| {
                let id = ids.take(SeedTable::Insurers);
                let insurer_type = if insurer.government { "government" } else { "private" };
                batch.push(
                    SeedTable::Insurers,
                    &[
                        id.into(),
                        insurer.code.into(),
                        insurer.name_th.into(),
                        insurer.name_en.into(),
                        insurer_type.into(),
                        insurer.phone.into(),
                        true.into(),
                        now.into(),
                        1.into(),
                    ],
                );
                id
            })
        })
        .collect();

    let existing: HashMap<String, i64> = schema::drugs::table
        .select((schema::drugs::local_code, schema::drugs::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let drug_ids = DRUGS
        .iter()
        .enumerate()
        .map(|(index, drug)| {
            existing.get(drug.code).copied().unwrap_or_else(|| {
                let id = ids.take(SeedTable::Drugs);
                let tmt = tmt_code(index);
                batch.push(
                    SeedTable::Drugs,
                    &[
                        id.into(),
                        drug.code.into(),
                        tmt.as_str().into(),
                        drug.generic_name.into(),
                        drug.trade_name.into(),
                        drug.strength.into(),
                        drug.form.dosage_form().into(),
                        drug.form.dispense_unit().into(),
                        drug.price_satang.into(),
                        true.into(),
                        now.into(),
                        1.into(),
                    ],
                );
                id
            })
        })
        .collect();

    let mut branches: Vec<BranchStaff> = branch_ids
        .into_iter()
        .map(|id| BranchStaff { id, doctor_ids: Vec::new(), primary_care_ids: Vec::new() })
        .collect();
    let existing: HashMap<String, i64> = schema::doctors::table
        .select((schema::doctors::license_no, schema::doctors::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    for doctor in roster() {
        let id = match existing.get(&doctor.license_no) {
            Some(&id) => id,
            None => {
                let id = ids.take(SeedTable::Doctors);
                push_doctor(&mut batch, ids, id, &doctor, branches[doctor.branch].id, now);
                id
            }
        };
        let staff = &mut branches[doctor.branch];
        staff.doctor_ids.push(id);
        if SPECIALTIES[..PRIMARY_CARE_SPECIALTIES].contains(&doctor.specialty) {
            staff.primary_care_ids.push(id);
        }
    }

    batch.write(conn)?;
    let reference = Reference { branches, insurer_ids, drug_ids };
    Ok((reference, batch.total_rows()))
}

/// Doctors per branch as the catalogue sizes them; the first three of each branch are primary
/// care so every branch has someone to register patients with.
fn roster() -> Vec<RosterDoctor> {
    let mut rng = StdRng::seed_from_u64(ROSTER_SEED);
    let mut roster = Vec::new();
    for (branch, catalog_branch) in BRANCHES.iter().enumerate() {
        for seat in 0..catalog_branch.doctors {
            let number = u32::try_from(roster.len()).expect("a small roster");
            let female = rng.random_bool(0.5);
            let first_names = if female { FEMALE_FIRST_NAMES.len() } else { MALE_FIRST_NAMES.len() };
            let specialty = match SPECIALTIES[..PRIMARY_CARE_SPECIALTIES].get(seat) {
                Some(&primary_care) => primary_care,
                None => *SPECIALTIES.choose(&mut rng).expect("specialties are listed"),
            };
            roster.push(RosterDoctor {
                number,
                license_no: (FIRST_LICENSE + number * LICENSE_STEP).to_string(),
                female,
                first: rng.random_range(0..first_names),
                last: rng.random_range(0..LAST_NAMES.len()),
                specialty,
                branch,
            });
        }
    }
    roster
}

fn push_doctor(
    batch: &mut Batch,
    ids: &mut NextIds,
    id: i64,
    doctor: &RosterDoctor,
    branch_id: i64,
    now: NaiveDateTime,
) {
    let (title, first, sex) = if doctor.female {
        ("พญ.", &FEMALE_FIRST_NAMES[doctor.first], "F")
    } else {
        ("นพ.", &MALE_FIRST_NAMES[doctor.first], "M")
    };
    let last = &LAST_NAMES[doctor.last];
    let email = format!("dr{}@clinic.example", doctor.license_no);
    batch.push(
        SeedTable::Doctors,
        &[
            id.into(),
            doctor.license_no.as_str().into(),
            title.into(),
            first.th.into(),
            last.th.into(),
            first.en.into(),
            last.en.into(),
            sex.into(),
            doctor.specialty.into(),
            None::<&str>.into(),
            email.as_str().into(),
            branch_id.into(),
            true.into(),
            now.into(),
            1.into(),
        ],
    );
    push_schedule(batch, ids, id, branch_id, doctor, now);
}

/// Weekly sessions at the doctor's branch: mornings on two or three weekdays, one evening.
fn push_schedule(
    batch: &mut Batch,
    ids: &mut NextIds,
    doctor_id: i64,
    branch_id: i64,
    doctor: &RosterDoctor,
    now: NaiveDateTime,
) {
    let valid_from = NaiveDate::from_ymd_opt(2018, 1, 1).expect("valid date");
    // Staggered along the roster so the branch is covered across the week.
    let offset = i16::try_from(doctor.number % 5).expect("below 5");
    let sessions: [(i16, (u32, u32), i32); 3] = [
        (1 + offset, (8, 12), 15),
        (1 + (offset + 2) % 5, (8, 12), 15),
        (1 + (offset + 3) % 6, (17, 20), 20),
    ];
    for (weekday, (start_hour, end_hour), slot_minutes) in sessions {
        let start = NaiveTime::from_hms_opt(start_hour, 0, 0).expect("valid time");
        let end = NaiveTime::from_hms_opt(end_hour, 0, 0).expect("valid time");
        batch.push(
            SeedTable::DoctorSchedules,
            &[
                ids.take(SeedTable::DoctorSchedules).into(),
                doctor_id.into(),
                branch_id.into(),
                weekday.into(),
                start.into(),
                end.into(),
                slot_minutes.into(),
                valid_from.into(),
                None::<NaiveDate>.into(),
                true.into(),
                now.into(),
                1.into(),
            ],
        );
    }
}
