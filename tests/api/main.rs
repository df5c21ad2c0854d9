//! End-to-end tests: the real server over real HTTP against a fresh real database each.
//! Every scenario runs on PostgreSQL and on SQLite.

mod access;
mod access_matrix;
mod app;
mod audit;
mod availability;
mod bundles;
mod capability_walk;
mod chains;
mod claim;
mod cli;
mod clinical_writes;
mod conditional;
mod document_reference;
mod errors;
mod everything;
mod export;
mod history;
mod http_semantics;
mod includes;
mod moph_connect;
mod observation;
mod patch_delete;
mod patient_crud;
mod patient_search;
mod search_params;
mod seeded_data;
mod sorting;
mod subscriptions;
mod system_search;
mod vital_signs;
