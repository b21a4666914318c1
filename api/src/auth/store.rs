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

/// Seconds until the email's lock ends, if it is locked.
pub fn locked_for(
    conn: &mut DbConn,
    email: &str,
    now: NaiveDateTime,
) -> Result<Option<u64>, ApiError> {
    let until: Option<Option<NaiveDateTime>> = login_failures::table
        .find(email)
        .select(login_failures::locked_until)
        .first(conn)
        .optional()?;
    Ok(until
        .flatten()
        .filter(|u| *u > now)
        .map(|u| (u - now).num_seconds().max(1) as u64))
}

/// Counts a failed login; the `rate.count`-th failure within `rate.per` locks the email for
/// `rate.per`, whether or not an account has that email.
pub fn record_failure(
    conn: &mut DbConn,
    email: &str,
    now: NaiveDateTime,
    rate: Rate,
) -> Result<(), ApiError> {
    let window = TimeDelta::from_std(rate.per).unwrap_or(TimeDelta::minutes(15));
    let current: Option<(i32, NaiveDateTime)> = login_failures::table
        .find(email)
        .select((login_failures::failures, login_failures::window_start))
        .first(conn)
        .optional()?;
    let (failures, start) = match current {
        Some((n, start)) if now - start < window => (n + 1, start),
        _ => (1, now),
    };
    let locked_until = (failures >= rate.count as i32).then(|| now + window);
    if current.is_some() {
        diesel::update(login_failures::table.find(email))
            .set((
                login_failures::failures.eq(failures),
                login_failures::window_start.eq(start),
                login_failures::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::email.eq(email),
                login_failures::failures.eq(failures),
                login_failures::window_start.eq(start),
                login_failures::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
    }
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
pub fn rotate(
    conn: &mut DbConn,
    keys: &Keys,
    token: &str,
    now: NaiveDateTime,
) -> Result<Rotation, ApiError> {
    let hash = tokens::token_hash(token);
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
    if revoked || expires_at <= now {
        return Ok(Rotation::Refused {
            code: "invalid_refresh_token",
        });
    }
    let successor = keys.successor(token);
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
        None => {
            let claimed = diesel::update(
                refresh_tokens::table.filter(
                    refresh_tokens::token_hash
                        .eq(&hash)
                        .and(refresh_tokens::rotated_at.is_null()),
                ),
            )
            .set(refresh_tokens::rotated_at.eq(now))
            .execute(conn)?;
            if claimed == 0 {
                // Another request rotated it between our read and write: answer as it did.
                return rotate(conn, keys, token, now);
            }
            insert_refresh(conn, &successor, &family, &user_id, now)?;
            Ok(Rotation::Rotated {
                user_id,
                token: successor,
                issued_at: now,
            })
        }
    }
}

fn revoke_family(conn: &mut DbConn, family: &str) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Logs out: the token's family is revoked. An unknown token is not an error.
pub fn revoke_family_of(conn: &mut DbConn, token: &str) -> Result<(), ApiError> {
    let family: Option<String> = refresh_tokens::table
        .find(tokens::token_hash(token))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family)?;
    }
    Ok(())
}

pub fn revoke_all_for_user(conn: &mut DbConn, user_id: &str) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}
