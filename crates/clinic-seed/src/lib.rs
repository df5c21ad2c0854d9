//! Synthetic Thai outpatient data for the clinic database, for demos and load tests.
//!
//! The same `random_seed` and the same starting database give the same rows. New rows take ids
//! after each table's current maximum, so seeding an already seeded database adds to it; the
//! clinic's set-up (branches, doctors, insurers, drugs) is inserted once and then reused.
//!
//! Rows go in by each backend's bulk path: `COPY FROM STDIN` on PostgreSQL, multi-row `INSERT`s
//! on SQLite, one transaction per batch of patients so memory stays bounded.

mod catalog;
mod patients;
mod reference;
mod tables;
mod thai_id;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clinic_db::{Backend, Database, DbConnection, DbError};
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::patients::Generator;
use crate::tables::{Batch, NextIds, SeedTable};

/// Patients per transaction, with all their dependent rows (about 23 rows each). Tests use
/// small batches so that a few hundred patients go through several, and both writers.
const PATIENTS_PER_BATCH: u64 = if cfg!(test) { 50 } else { 10_000 };
/// Batches generated ahead of the writers: generation overlaps the database's work while
/// memory stays at a few batches.
const BATCHES_AHEAD: usize = 2;

/// The seed's "today": visits happen before it and open appointments after it. Fixed, not the
/// clock, so that a seed reproduces the same rows on any day.
const SEED_TODAY: (i32, u32, u32) = (2026, 11, 20);

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub patients: u64,
    pub random_seed: u64,
    pub show_progress: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub patients: u64,
    pub visits: u64,
    /// Every row inserted, reference rows included.
    pub rows: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("seeding failed: {0}")]
    Query(#[from] diesel::result::Error),
}

/// Inserts `options.patients` synthetic patients and their records into a migrated database.
///
/// On PostgreSQL this takes two connections from the pool when it can (batches are then
/// written two at a time); with a pool of one it waits the pool's timeout for the second and
/// carries on with one.
pub fn seed(db: &Database, options: &SeedOptions) -> Result<SeedReport, SeedError> {
    let started = Instant::now();
    let today = NaiveDate::from_ymd_opt(SEED_TODAY.0, SEED_TODAY.1, SEED_TODAY.2).expect("valid date");
    let set_up_at = NaiveDateTime::new(today, NaiveTime::MIN);

    let mut first = db.get()?;
    let mut ids = NextIds::load(&mut first)?;
    let (reference, reference_rows) = reference::ensure(&mut first, &mut ids, set_up_at)?;
    let mut connections = vec![first];
    if db.backend() == Backend::Postgres && options.patients > PATIENTS_PER_BATCH {
        match db.get() {
            Ok(second) => connections.push(second),
            Err(e) => tracing::warn!("seeding with one connection: {e}"),
        }
    }

    let progress = if options.show_progress {
        let bar = ProgressBar::new(options.patients);
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} patients ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    } else {
        ProgressBar::hidden()
    };
    let generator = Generator::new(&reference, StdRng::seed_from_u64(options.random_seed), ids, today);
    let writers = connections.iter_mut().map(|conn| &mut **conn).collect();
    let written = generate_and_write(db.backend(), generator, options.patients, writers, &progress);
    progress.finish_and_clear();
    let mut report = written?;
    report.rows += reference_rows;
    // Fresh statistics: until autovacuum gets to them, the planner would guess row counts of
    // tables that grew by millions and pick sequential scans for the API's searches.
    diesel::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), &mut *connections[0])?;

    tracing::info!(
        patients = report.patients,
        visits = report.visits,
        rows = report.rows,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "seeded the clinic database"
    );
    Ok(report)
}

/// One thread generates batches while each connection writes them in its own transactions.
/// Batches reference only their own rows and the committed reference set, so they can commit
/// in any order.
fn generate_and_write(
    backend: Backend,
    mut generator: Generator<'_>,
    patients: u64,
    writers: Vec<&mut DbConnection>,
    progress: &ProgressBar,
) -> Result<SeedReport, SeedError> {
    let failed = AtomicBool::new(false);
    let (sender, receiver) = mpsc::sync_channel::<(u64, Batch)>(BATCHES_AHEAD);
    let receiver = Mutex::new(receiver);
    std::thread::scope(|scope| {
        let failed = &failed;
        scope.spawn(move || {
            let mut remaining = patients;
            // After a failure no more batches are made; dropping the sender ends the writers.
            while remaining > 0 && !failed.load(Ordering::Relaxed) {
                let count = PATIENTS_PER_BATCH.min(remaining);
                let mut batch = Batch::new(backend);
                generator.fill(&mut batch, count);
                if sender.send((count, batch)).is_err() {
                    break;
                }
                remaining -= count;
            }
        });
        let handles: Vec<_> = writers
            .into_iter()
            .map(|conn| {
                let receiver = &receiver;
                scope.spawn(move || {
                    let mut written = SeedReport { patients: 0, visits: 0, rows: 0 };
                    let mut error = None;
                    loop {
                        let next = receiver.lock().expect("no writer panics holding the receiver").recv();
                        let Ok((count, batch)) = next else { break };
                        // Once a batch has failed the rest are drained unwritten, so the
                        // generator is never left blocked on a full channel.
                        if failed.load(Ordering::Relaxed) {
                            continue;
                        }
                        match batch.write(conn) {
                            Ok(()) => {
                                written.patients += count;
                                written.visits += batch.rows(SeedTable::Visits);
                                written.rows += batch.total_rows();
                                progress.inc(count);
                            }
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                error = Some(e);
                            }
                        }
                    }
                    error.map_or(Ok(written), Err)
                })
            })
            .collect();
        let mut total = SeedReport { patients: 0, visits: 0, rows: 0 };
        for handle in handles {
            let written = handle.join().expect("writer threads do not panic")?;
            total.patients += written.patients;
            total.visits += written.visits;
            total.rows += written.rows;
        }
        Ok(total)
    })
}
