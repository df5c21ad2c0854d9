//! Seeding real databases: a fresh SQLite file and a scratch PostgreSQL database.

use std::path::PathBuf;
use std::time::Instant;

use clinic_db::schema::patients;
use clinic_db::{Database, DbConnection};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::tables::SeedTable;
use crate::{SeedOptions, SeedReport, seed};

const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PATIENTS: u64 = 200;

fn options(random_seed: u64) -> SeedOptions {
    SeedOptions { patients: PATIENTS, random_seed, show_progress: false }
}

/// A SQLite file in the temp dir, removed with its WAL files when dropped.
struct ScratchSqlite(PathBuf);

impl ScratchSqlite {
    fn new(label: &str) -> ScratchSqlite {
        let name = format!("clinic-seed-{label}-{}-{:08x}.sqlite", std::process::id(), rand::random::<u32>());
        ScratchSqlite(std::env::temp_dir().join(name))
    }

    fn migrated(&self) -> Database {
        let db = Database::connect(self.0.to_str().expect("UTF-8 temp path"), 2).expect("open SQLite");
        db.migrate().expect("migrate SQLite");
        db
    }
}

impl Drop for ScratchSqlite {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A database created on the local PostgreSQL server and dropped when this goes out of scope,
/// whether or not the test's assertions held.
struct ScratchPostgres {
    name: String,
}

impl ScratchPostgres {
    fn create() -> ScratchPostgres {
        let name = format!("seed_test_{:08x}", rand::random::<u32>());
        let mut admin = PgConnection::establish(POSTGRES_ADMIN_URL)
            .expect("PostgreSQL on 127.0.0.1:5432 with trust auth");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create scratch database");
        ScratchPostgres { name }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(POSTGRES_ADMIN_URL) {
            // FORCE ends the pool's connections, which may still be open during a panic.
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut DbConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap_or_else(|e| panic!("{sql}: {e}")).n
}

fn rows_in(conn: &mut DbConnection, table: SeedTable) -> i64 {
    count(conn, &format!("SELECT COUNT(*) AS n FROM {}", table.name()))
}

fn all_rows(conn: &mut DbConnection) -> u64 {
    SeedTable::ALL.iter().map(|&table| u64::try_from(rows_in(conn, table)).expect("a count")).sum()
}

/// Checks what every seeded database must satisfy, after `seedings` runs of `PATIENTS`.
fn check_seeded(conn: &mut DbConnection, seedings: u64, reports: &[SeedReport]) {
    let patients = PATIENTS * seedings;
    assert_eq!(rows_in(conn, SeedTable::Patients), patients as i64);
    assert_eq!(rows_in(conn, SeedTable::PatientCoverages), patients as i64);
    let visits: u64 = reports.iter().map(|r| r.visits).sum();
    assert_eq!(rows_in(conn, SeedTable::Visits), visits as i64);
    // About two visits each, with one vital-signs row, claim and note apiece.
    assert!((patients..=3 * patients).contains(&visits), "{visits} visits");
    for table in [SeedTable::VitalSigns, SeedTable::Claims, SeedTable::ClinicalNotes] {
        assert_eq!(rows_in(conn, table), visits as i64, "{}", table.name());
    }
    for &table in SeedTable::ALL {
        assert!(rows_in(conn, table) > 0, "{} is empty", table.name());
    }
    assert_eq!(all_rows(conn), reports.iter().map(|r| r.rows).sum::<u64>());

    let identities: Vec<(i64, String, Option<String>, Option<String>)> = patients::table
        .select((patients::id, patients::hn, patients::national_id, patients::passport_no))
        .load(conn)
        .expect("load patients");
    let mut citizens = 0;
    for (id, hn, national_id, passport_no) in &identities {
        assert_eq!(hn, &format!("{id:07}"));
        match national_id {
            Some(nid) => {
                citizens += 1;
                assert!((b'1'..=b'8').contains(&nid.as_bytes()[0]), "{nid}");
                assert!(fhir_mapping::thai_id::is_valid(nid), "{nid}");
            }
            None => assert!(passport_no.is_some(), "patient {id} has neither ID nor passport"),
        }
    }
    let share = f64::from(citizens) / identities.len() as f64;
    assert!((0.88..=1.0).contains(&share), "{share} of patients have a citizen ID");

    let mismatched_totals = count(
        conn,
        "SELECT COUNT(*) AS n FROM claims c WHERE c.total_satang <> \
         (SELECT COALESCE(SUM(i.net_satang), 0) FROM claim_items i WHERE i.claim_id = c.id)",
    );
    assert_eq!(mismatched_totals, 0, "claims whose total is not the sum of their items");
    let claims_with_bad_item_count = count(
        conn,
        "SELECT COUNT(*) AS n FROM claims c WHERE \
         (SELECT COUNT(*) FROM claim_items i WHERE i.claim_id = c.id) NOT BETWEEN 1 AND 3",
    );
    assert_eq!(claims_with_bad_item_count, 0);
    let visits_without_one_principal_diagnosis = count(
        conn,
        "SELECT COUNT(*) AS n FROM visits v WHERE \
         (SELECT COUNT(*) FROM diagnoses d WHERE d.visit_id = v.id AND d.diag_type = 1) <> 1",
    );
    assert_eq!(visits_without_one_principal_diagnosis, 0);
    let dotted_icd10 = count(conn, "SELECT COUNT(*) AS n FROM diagnoses WHERE icd10 LIKE '%.%'");
    assert_eq!(dotted_icd10, 0);
}

#[test]
fn seeds_sqlite_twice_with_consistent_records() {
    let file = ScratchSqlite::new("twice");
    let db = file.migrated();

    let first = seed(&db, &options(42)).expect("first seed");
    assert_eq!(first.patients, PATIENTS);
    let mut conn = db.get().expect("connection");
    check_seeded(&mut conn, 1, std::slice::from_ref(&first));

    // A second run appends patients after the existing ids and reuses the clinic set-up.
    let second = seed(&db, &options(7)).expect("second seed");
    check_seeded(&mut conn, 2, &[first, second]);
    assert_eq!(rows_in(&mut conn, SeedTable::Branches), 4);
    assert_eq!(rows_in(&mut conn, SeedTable::Drugs), crate::catalog::DRUGS.len() as i64);
}

type PatientFingerprint = (String, Option<String>, Option<String>, Option<chrono::NaiveDate>);

#[test]
fn same_seed_gives_the_same_rows() {
    let fingerprint = |label: &str| {
        let file = ScratchSqlite::new(label);
        let db = file.migrated();
        let report = seed(&db, &options(2024)).expect("seed");
        let mut conn = db.get().expect("connection");
        let patients: Vec<PatientFingerprint> = patients::table
            .select((patients::hn, patients::national_id, patients::first_name_en, patients::birth_date))
            .order(patients::id)
            .load(&mut conn)
            .expect("load patients");
        let claimed = count(&mut conn, "SELECT COALESCE(SUM(total_satang), 0) AS n FROM claims");
        (report, patients, claimed)
    };
    assert_eq!(fingerprint("first"), fingerprint("second"));
}

#[test]
fn seeds_postgres_with_copy_and_resets_sequences() {
    let scratch = ScratchPostgres::create();
    // Seeding takes two connections (two writers) while the test holds a third.
    let db = Database::connect(&scratch.url(), 3).expect("connect to scratch database");
    db.migrate().expect("migrate PostgreSQL");

    let started = Instant::now();
    let first = seed(&db, &options(42)).expect("seed PostgreSQL");
    eprintln!("seeded {PATIENTS} patients ({} rows) into PostgreSQL in {:?}", first.rows, started.elapsed());
    let mut conn = db.get().expect("connection");
    check_seeded(&mut conn, 1, std::slice::from_ref(&first));

    let second = seed(&db, &options(43)).expect("seed PostgreSQL again");
    check_seeded(&mut conn, 2, &[first, second]);

    // The API inserts without ids: the sequences must have moved past the seeded ones.
    conn.batch_execute(
        "INSERT INTO insurers (code, name_th, insurer_type, updated_at) \
         VALUES ('TEST', 'ทดสอบ', 'private', now())",
    )
    .expect("an insert that takes its id from the sequence");
}
