//! Rebuilds the crate when a migration is added: `embed_migrations!` reads the directories at
//! compile time, and Cargo does not otherwise know to look at them.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
