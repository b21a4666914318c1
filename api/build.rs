//! Rebuilds the server when a migration is added or changed: `embed_migrations!` reads the
//! migrations folders at compile time, and cargo does not watch a folder by itself.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
