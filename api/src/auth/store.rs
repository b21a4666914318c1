//! Queries behind logging in: credentials, failed-login lockouts, refresh-token families.
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::auth::tokens::{self, Keys};
use crate::config::Rate;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{api_clients, login_failures, organizations, refresh_tokens, users};

/// A user's id, password hash and whether they (and their organization) may log in.
pub fn user_credentials(
    conn: &mut DbConn,
    email: &str,
) -> Result<Option<(String, String, bool)>, ApiError> {
    Ok(users::table
        .inner_join(organizations::table)
        .filter(users::email.eq(email))
        .select((
            users::id,
            users::password_hash,
            users::active.and(organizations::active),
        ))
        .first(conn)
        .optional()?)
}

/// An active API client's id and secret hash.
pub fn client_credentials(
    conn: &mut DbConn,
    client_id: &str,
) -> Result<Option<(String, String, bool)>, ApiError> {
    Ok(api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::client_id.eq(client_id))
        .select((
            api_clients::id,
            api_clients::secret_hash,
            api_clients::active.and(organizations::active),
        ))
        .first(conn)
        .optional()?)
}

/// Whether a login attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Go on: the attempt is already counted as a failure, until it succeeds.
    Counted,
    /// The email is locked, or as many attempts as the lockout allows are being checked.
    Locked { retry_after: u64 },
}

/// Takes the email's row for this transaction, creating it if needed (PostgreSQL: its row
/// lock; SQLite: the write lock, taken by the transaction's first statement so that the busy
/// timeout applies). Attempts on one email are then counted one after the other, and no
/// concurrent insert of the same email fails.
fn take_row(conn: &mut DbConn, email: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    use diesel::result::{DatabaseErrorKind, Error};
    // Each retry means another attempt created the row and a third deleted it meanwhile.
    for _ in 0..5 {
        let touched = diesel::update(login_failures::table.find(email))
            .set(login_failures::failures.eq(login_failures::failures))
            .execute(conn)?;
        if touched > 0 {
            return Ok(());
        }
        // A savepoint: if another attempt inserted the row meanwhile, only this insert is
        // undone, and the row is taken on the next turn.
        let inserted = crate::db::write_transaction(conn, |c| {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::email.eq(email),
                    login_failures::failures.eq(0),
                    login_failures::window_start.eq(now),
                    login_failures::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(c)
        });
        match inserted {
            Ok(_) => return Ok(()),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::unavailable(
        "login attempts on one email keep colliding",
    ))
}

fn window_of(rate: Rate) -> TimeDelta {
    TimeDelta::from_std(rate.per).unwrap_or(TimeDelta::minutes(15))
}

fn seconds_until(until: NaiveDateTime, now: NaiveDateTime) -> u64 {
    (until - now).num_seconds().max(1) as u64
}

/// Counts a login attempt before its password is checked, so that attempts sent together cannot
/// all pass a lock check made before any of them failed: within `rate.per`, at most
/// `rate.count` attempts are checked until one succeeds; the others are refused as locked. The
/// same for every email, whether or not an account has it.
pub fn begin_attempt(
    conn: &mut DbConn,
    email: &str,
    now: NaiveDateTime,
    rate: Rate,
) -> Result<Attempt, ApiError> {
    take_row(conn, email, now)?;
    let (failures, start, locked_until): (i32, NaiveDateTime, Option<NaiveDateTime>) =
        login_failures::table
            .find(email)
            .select((
                login_failures::failures,
                login_failures::window_start,
                login_failures::locked_until,
            ))
            .first(conn)?;
    if let Some(until) = locked_until.filter(|u| *u > now) {
        return Ok(Attempt::Locked {
            retry_after: seconds_until(until, now),
        });
    }
    let window = window_of(rate);
    let (failures, start) = if now - start < window {
        (failures, start)
    } else {
        (0, now)
    };
    if failures >= rate.count as i32 {
        // The last allowed attempts are still being checked: if one fails, it locks the email
        // (and a retry is told for how long); if one succeeds, the count is cleared.
        return Ok(Attempt::Locked { retry_after: 1 });
    }
    diesel::update(login_failures::table.find(email))
        .set((
            login_failures::failures.eq(failures + 1),
            login_failures::window_start.eq(start),
            login_failures::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(Attempt::Counted)
}

/// Ends a counted attempt that failed: once `rate.count` failures are counted within
/// `rate.per`, the email is locked for `rate.per`.
pub fn fail_attempt(
    conn: &mut DbConn,
    email: &str,
    now: NaiveDateTime,
    rate: Rate,
) -> Result<(), ApiError> {
    take_row(conn, email, now)?;
    let (failures, locked_until): (i32, Option<NaiveDateTime>) = login_failures::table
        .find(email)
        .select((login_failures::failures, login_failures::locked_until))
        .first(conn)?;
    // A success cleared the count while this attempt was checked: it still failed.
    let failures = failures.max(1);
    let lock = (failures >= rate.count as i32 && locked_until.is_none_or(|u| u <= now))
        .then(|| now + window_of(rate));
    diesel::update(login_failures::table.find(email))
        .set((
            login_failures::failures.eq(failures),
            login_failures::locked_until.eq(lock.or(locked_until)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn clear_failures(conn: &mut DbConn, email: &str) -> Result<(), ApiError> {
    diesel::delete(login_failures::table.find(email)).execute(conn)?;
    Ok(())
}

fn insert_refresh(
    conn: &mut DbConn,
    token: &str,
    family: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(tokens::token_hash(token)),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::issued_at.eq(now),
            refresh_tokens::expires_at.eq(now + tokens::REFRESH_TTL),
        ))
        .execute(conn)?;
    Ok(())
}

/// Starts a new refresh-token family for a login; returns its first token.
pub fn start_family(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let token = tokens::random_token();
    insert_refresh(
        conn,
        &token,
        &uuid::Uuid::now_v7().to_string(),
        user_id,
        now,
    )?;
    Ok(token)
}

/// The outcome of presenting a refresh token.
pub enum Rotation {
    /// A new token (and the time its access token is issued at) for this user.
    Rotated {
        user_id: String,
        token: String,
        issued_at: NaiveDateTime,
    },
    /// Unknown, expired, revoked, or reused after the grace period (the family is now revoked).
    Refused { code: &'static str },
}

/// Rotates a refresh token: the presented one is marked rotated and its derived successor
/// stored. Presenting an already-rotated token within the grace period gives the same
/// successor; later, it revokes the whole family (the token was stolen or replayed).
///
/// The claim is the transaction's first statement, a write: two tabs presenting one token at
/// once are serialized on it (the row lock on PostgreSQL, the write lock on SQLite, where a
/// read first would make the second writer fail at once instead of waiting), and the second
/// then finds it rotated within the grace period.
pub fn rotate(
    conn: &mut DbConn,
    keys: &Keys,
    token: &str,
    now: NaiveDateTime,
) -> Result<Rotation, ApiError> {
    let hash = tokens::token_hash(token);
    let claimed = diesel::update(
        refresh_tokens::table.filter(
            refresh_tokens::token_hash
                .eq(&hash)
                .and(refresh_tokens::rotated_at.is_null())
                .and(refresh_tokens::revoked.eq(false))
                .and(refresh_tokens::expires_at.gt(now)),
        ),
    )
    .set(refresh_tokens::rotated_at.eq(now))
    .execute(conn)?;
    let row: Option<(String, String, NaiveDateTime, Option<NaiveDateTime>, bool)> =
        refresh_tokens::table
            .find(&hash)
            .select((
                refresh_tokens::family_id,
                refresh_tokens::user_id,
                refresh_tokens::expires_at,
                refresh_tokens::rotated_at,
                refresh_tokens::revoked,
            ))
            .first(conn)
            .optional()?;
    let Some((family, user_id, expires_at, rotated_at, revoked)) = row else {
        return Ok(Rotation::Refused {
            code: "invalid_refresh_token",
        });
    };
    let successor = keys.successor(token)?;
    if claimed > 0 {
        insert_refresh(conn, &successor, &family, &user_id, now)?;
        return Ok(Rotation::Rotated {
            user_id,
            token: successor,
            issued_at: now,
        });
    }
    if revoked || expires_at <= now {
        return Ok(Rotation::Refused {
            code: "invalid_refresh_token",
        });
    }
    match rotated_at {
        Some(at) if now - at <= tokens::REFRESH_GRACE => Ok(Rotation::Rotated {
            user_id,
            token: successor,
            issued_at: at,
        }),
        Some(_) => {
            revoke_family(conn, &family)?;
            Ok(Rotation::Refused {
                code: "refresh_token_reused",
            })
        }
        None => Ok(Rotation::Refused {
            code: "invalid_refresh_token",
        }),
    }
}

fn revoke_family(conn: &mut DbConn, family: &str) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Logs out: the token's family is revoked. An unknown token is not an error. One statement,
/// a write, so a logout racing a refresh waits for it instead of failing.
pub fn revoke_family_of(conn: &mut DbConn, token: &str) -> Result<(), ApiError> {
    let presented = diesel::alias!(refresh_tokens as presented);
    let family = presented
        .filter(
            presented
                .field(refresh_tokens::token_hash)
                .eq(tokens::token_hash(token)),
        )
        .select(presented.field(refresh_tokens::family_id));
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq_any(family)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}

pub fn revoke_all_for_user(conn: &mut DbConn, user_id: &str) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}
