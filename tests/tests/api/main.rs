//! The black-box suite: every test starts the real `madar` binary, once on SQLite and once on
//! PostgreSQL.
mod access_tests;
mod audit_tests;
mod auth_tests;
mod case_tests;
mod children_tests;
mod consent_tests;
mod idempotency_tests;
mod merge_tests;
mod platform_tests;
mod report_tests;
mod screening_tests;
mod smoke;
