//! Madar's server: the HTTP API over SQLite or PostgreSQL (see `../shared/design.md`).
//!
//! Cross-cutting parts each live in one module: `config`, `clock`, `db`, `error`, `auth`
//! (tokens, passwords, the access policy), `http` (bodies, paging, middleware). Each resource
//! has its own module with handlers (HTTP only), domain rules and a store (diesel queries).
pub mod access;
pub mod api_doc;
pub mod app;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cases;
pub mod children;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod codes;
pub mod config;
pub mod crypto;
pub mod db;
pub mod dev;
pub mod diagnostics;
pub mod error;
pub mod events;
pub mod generate;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod keys;
pub mod organizations;
pub mod placements;
pub mod plans;
pub mod programme;
pub mod protocols;
pub mod reference;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod schema;
pub mod secrets;
pub mod seed;
pub mod sequences;
pub mod services;
pub mod state;
pub mod statistics;
pub mod transfers;
pub mod users;
pub mod webhooks;
