//! The black-box suite: every test starts the real `madar` binary, once on SQLite and once on
//! PostgreSQL.
mod access_tests;
mod auth_tests;
mod platform_tests;
mod smoke;
