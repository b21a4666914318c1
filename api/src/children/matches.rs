//! `GET /api/v1/children/matches`: the children Madar already knows that may be the one being
//! reported or registered, across scripts and spellings. Candidates come from the blocking keys
//! (an indexed lookup), are scored by the matching engine, and are shown as the caller's scope
//! allows: a child in scope whole; a likely match outside scope only as its owner (organization
//! and territory), so that workers coordinate instead of creating a duplicate; a possible match
//! outside scope not at all. Shown children and announced owners are audited.
use actix_web::{get, web, HttpResponse};
use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use madar_openapi::children::{ChildMatch, ChildMatches, ChildOwner};
use madar_openapi::reports::Sex;
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain;
use super::domain::Lookups;
use super::key_store;
use super::matching::{self, Decision, Identity, Territory};
use super::store::{self, Child};
use crate::audit::{AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action, ChildScope};
use crate::auth::Actor;
use crate::codes::from_code;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::schema::{children, organizations, territories};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// Given name(s), in Arabic or Latin script.
    pub given_name: Option<String>,
    /// Family name, in Arabic or Latin script.
    pub family_name: Option<String>,
    /// Year of birth, known or estimated.
    #[param(minimum = 1990, maximum = 2100)]
    pub birth_year: Option<i32>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// Where the child is (a territory code): the same territory is favoured.
    pub territory: Option<String>,
    /// How many candidates (1 to 50, default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

impl MatchQuery {
    fn limit(&self) -> Result<usize, ApiError> {
        match self.limit {
            None => Ok(10),
            Some(n) if (1..=50).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::validation(
                "limit",
                "range",
                "must be between 1 and 50",
            )),
        }
    }

    fn birth_year(&self) -> Result<Option<i32>, ApiError> {
        match self.birth_year {
            Some(y) if !(1990..=2100).contains(&y) => Err(ApiError::validation(
                "birth_year",
                "range",
                "must be between 1990 and 2100",
            )),
            year => Ok(year),
        }
    }
}

/// What the caller is told of one ranked candidate, if anything.
struct Shown {
    item: ChildMatch,
    event: (AuditAction, String),
}

/// What matching reads of a candidate: the columns of its identity, its owner's code and its
/// territory's path, not the whole record (a match reads up to hundreds of candidates and
/// shows a few: those are read whole afterwards, `store::by_ids`).
#[derive(Queryable)]
struct CandidateRow {
    id: String,
    given_name_ar: Option<String>,
    family_name_ar: Option<String>,
    given_name_latin: Option<String>,
    family_name_latin: Option<String>,
    aliases: String,
    sex: String,
    date_of_birth: Option<NaiveDate>,
    estimated_birth_year: Option<i32>,
    territory_code: String,
    organization: String,
    territory_path: String,
}

impl CandidateRow {
    /// As `Child::identity` builds it from the whole record.
    fn identity(&self) -> Result<Identity, ApiError> {
        let aliases: Vec<String> =
            serde_json::from_str(&self.aliases).map_err(|e| ApiError::Internal(e.into()))?;
        domain::identity_of(
            [&self.given_name_ar, &self.given_name_latin],
            [&self.family_name_ar, &self.family_name_latin],
            &aliases,
            from_code(&self.sex)?,
            domain::birth_of(self.date_of_birth, self.estimated_birth_year),
            Territory::with_path(&self.territory_code, &self.territory_path).ok(),
        )
    }
}

/// The candidates of a match (the children holding one of the lookups' keys, not merged
/// away), whatever the caller's scope, in id order as `store::candidates` gives them.
fn candidate_rows(conn: &mut DbConn, lookups: &Lookups) -> Result<Vec<CandidateRow>, ApiError> {
    let ids = key_store::candidate_ids(conn, lookups)?;
    Ok(children::table
        .inner_join(organizations::table)
        .inner_join(territories::table)
        .filter(children::merged_into.is_null())
        .filter(children::id.eq_any(ids))
        .order(children::id)
        .select((
            children::id,
            children::given_name_ar,
            children::family_name_ar,
            children::given_name_latin,
            children::family_name_latin,
            children::aliases,
            children::sex,
            children::date_of_birth,
            children::estimated_birth_year,
            children::territory_code,
            organizations::code,
            territories::path,
        ))
        .load(conn)?)
}

/// What the caller may be told of one ranked candidate: the child in scope (filled in once
/// read whole), the owner of a likely match outside it, nothing of a possible one outside it.
fn show(candidate: &CandidateRow, found: matching::Match, in_scope: bool) -> Option<Shown> {
    let decision = found.decision?;
    let (owner, action) = match (in_scope, decision) {
        (true, _) => (None, AuditAction::ChildRead),
        (false, Decision::Likely) => (
            Some(ChildOwner {
                organization: candidate.organization.clone(),
                territory: candidate.territory_code.clone(),
            }),
            AuditAction::ChildMatchAnnounce,
        ),
        (false, Decision::Possible) => return None,
    };
    Some(Shown {
        item: ChildMatch {
            child: None,
            owner,
            score: (found.score * 1000.0).round() / 1000.0,
            decision,
            reasons: found.reasons,
        },
        event: (action, candidate.id.clone()),
    })
}

/// The likely matches of a child about to be created, as the caller's scope splits them.
#[derive(Debug, Default)]
pub struct Likely {
    /// How many lie within the caller's scope (link one rather than create).
    pub in_scope: usize,
    /// The (child id, owner) of those outside it, to announce.
    pub elsewhere: Vec<(String, ChildOwner)>,
}

/// Runs the matching engine for a new record (at screening): its likely matches among all
/// children, split by the caller's scope.
pub fn likely_matches(
    conn: &mut crate::db::DbConn,
    scope: &ChildScope,
    identity: &Identity,
) -> Result<Likely, ApiError> {
    let candidates = store::candidates(conn, &domain::lookups(identity))?;
    let identities = candidates
        .iter()
        .map(Child::identity)
        .collect::<Result<Vec<_>, _>>()?;
    let likely: Vec<&Child> = matching::rank(identity, identities.iter(), candidates.len())
        .into_iter()
        .filter(|(_, found)| matches!(found.decision, Some(Decision::Likely)))
        .map(|(i, _)| &candidates[i])
        .collect();
    let ids = likely.iter().map(|c| c.row.id.clone()).collect();
    let visible = store::in_scope(conn, scope, ids)?;
    let mut found = Likely::default();
    for child in likely {
        if visible.contains(&child.row.id) {
            found.in_scope += 1;
        } else {
            let owner = ChildOwner {
                organization: child.organization.clone(),
                territory: child.row.territory_code.clone(),
            };
            found.elsewhere.push((child.row.id.clone(), owner));
        }
    }
    Ok(found)
}

/// Finds the known children that may be this one, best first: `likely` (link rather than
/// create) or `possible`. Needs a given or a family name.
#[utoipa::path(
    tag = "children",
    params(MatchQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The candidates", body = ChildMatches), ProblemResponse)
)]
#[get("/children/matches")]
pub async fn match_children(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<MatchQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::MatchChildren)?;
    let query = query.into_inner();
    let (limit, year) = (query.limit()?, query.birth_year()?);
    let (scope, keys) = (child_scope(&actor), state.data_keys.clone());
    let shown = db::run(&state.pool, move |c| {
        let territory = match &query.territory {
            Some(code) => Some(
                Territory::with_path(code, &store::territory_path(c, code, "territory")?).map_err(
                    |e| ApiError::validation("territory", e.code(), "is not a territory"),
                )?,
            ),
            None => None,
        };
        let identity = domain::identity_of(
            [&query.given_name, &None],
            [&query.family_name, &None],
            &[],
            query.sex.unwrap_or(Sex::Unknown),
            domain::birth_of(query.date_of_birth, year),
            territory,
        )?;
        let candidates = candidate_rows(c, &domain::lookups(&identity))?;
        let identities = candidates
            .iter()
            .map(CandidateRow::identity)
            .collect::<Result<Vec<_>, _>>()?;
        let ranked = matching::rank(&identity, identities.iter(), candidates.len());
        let ids = ranked
            .iter()
            .map(|(i, _)| candidates[*i].id.clone())
            .collect();
        let visible = store::in_scope(c, &scope, ids)?;
        let mut shown = Vec::new();
        for (i, found) in ranked {
            let candidate = &candidates[i];
            if let Some(s) = show(candidate, found, visible.contains(&candidate.id)) {
                shown.push(s);
            }
            if shown.len() == limit {
                break;
            }
        }
        let wanted = shown
            .iter()
            .filter(|s| s.item.owner.is_none())
            .map(|s| s.event.1.clone())
            .collect();
        let mut children: HashMap<String, Child> = store::by_ids(c, wanted)?
            .into_iter()
            .map(|child| (child.row.id.clone(), child))
            .collect();
        for s in shown.iter_mut().filter(|s| s.item.owner.is_none()) {
            let child = children
                .remove(&s.event.1)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a matched child vanished")))?;
            s.item.child = Some(child.response(&keys)?);
        }
        Ok(shown)
    })
    .await?;
    let now = state.clock.now_naive();
    let mut items = Vec::with_capacity(shown.len());
    for Shown {
        item,
        event: (action, id),
    } in shown
    {
        state
            .audit
            .record_read(AuditEvent::by(&actor, action, now).on(Resource::Child, id))?;
        items.push(item);
    }
    Ok(HttpResponse::Ok().json(ChildMatches { items }))
}
