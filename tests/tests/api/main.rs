//! The black-box suite: every test starts the real `madar` binary, once on SQLite and once on
//! PostgreSQL.
mod smoke;
