//! Queries on approvals. The caller's case scope is applied inside every query (an approval is
//! seen by whoever sees its case); free text is opened only for those who see the case's
//! sensitive fields, and for the one who asked.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::approvals::{ApprovalKind, ApprovalResponse, ApprovalStatus};

use crate::auth::policy::CaseScope;
use crate::cases::rows::{open, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{approvals, case_assignments, cases, territories};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub status: String,
    pub subject_id: Option<String>,
    pub request: String,
    pub request_sealed: Option<String>,
    pub requested_by_id: String,
    pub requested_at: NaiveDateTime,
    pub decided_by_id: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub comment_sealed: Option<String>,
    pub version: i32,
}

/// An approval with the workers assigned to its case.
#[derive(Debug, Clone)]
pub struct Approval {
    pub row: ApprovalRow,
    pub assigned: Vec<String>,
}

const PENDING: &str = "pending";

type Scoped = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<
        approvals::table,
        diesel::dsl::InnerJoin<cases::table, territories::table>,
    >,
    MultiBackend,
>;

fn scoped(scope: &CaseScope) -> Scoped {
    let joined = approvals::table
        .inner_join(cases::table.inner_join(territories::table))
        .into_boxed();
    match scope {
        CaseScope::Subtree { path, .. } => {
            joined.filter(territories::path.like(format!("{path}%")))
        }
        CaseScope::OwnedBy(org) => joined.filter(cases::owner_org.eq(org.clone())),
        CaseScope::None => joined.filter(approvals::id.eq("")),
    }
}

fn load(conn: &mut DbConn, query: Scoped) -> Result<Vec<Approval>, ApiError> {
    let rows: Vec<ApprovalRow> = query.select(ApprovalRow::as_select()).load(conn)?;
    let case_ids: Vec<String> = rows.iter().map(|r| r.case_id.clone()).collect();
    let assignments: Vec<(String, String)> = case_assignments::table
        .filter(case_assignments::case_id.eq_any(case_ids))
        .select((case_assignments::case_id, case_assignments::user_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let assigned = assignments
                .iter()
                .filter(|(c, _)| *c == row.case_id)
                .map(|(_, u)| u.clone())
                .collect();
            Approval { row, assigned }
        })
        .collect())
}

/// One approval within the caller's scope (404 otherwise).
pub fn find(conn: &mut DbConn, scope: &CaseScope, id: &str) -> Result<Approval, ApiError> {
    load(conn, scoped(scope).filter(approvals::id.eq(id.to_string())))?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// What the inbox asks for.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub status: Option<ApprovalStatus>,
    pub kind: Option<ApprovalKind>,
    /// The (rank, id) the previous page ended at: rank 0 pending, 1 decided.
    pub after: Option<(i32, String)>,
    pub limit: i64,
}

/// A page of approvals: pending first, then the oldest first (ids are time-ordered).
pub fn list(
    conn: &mut DbConn,
    scope: &CaseScope,
    inbox: &Inbox,
) -> Result<Vec<Approval>, ApiError> {
    let rank = diesel::dsl::sql::<diesel::sql_types::Integer>(
        "CASE WHEN approvals.status = 'pending' THEN 0 ELSE 1 END",
    );
    let mut query = scoped(scope)
        .order((rank.asc(), approvals::id.asc()))
        .limit(inbox.limit);
    if let Some(status) = inbox.status {
        query = query.filter(approvals::status.eq(to_code(&status)));
    }
    if let Some(kind) = inbox.kind {
        query = query.filter(approvals::kind.eq(to_code(&kind)));
    }
    match &inbox.after {
        Some((0, id)) => {
            query = query.filter(
                approvals::status.ne(PENDING).or(approvals::status
                    .eq(PENDING)
                    .and(approvals::id.gt(id.clone()))),
            )
        }
        Some((_, id)) => {
            query = query.filter(
                approvals::status
                    .ne(PENDING)
                    .and(approvals::id.gt(id.clone())),
            )
        }
        None => {}
    }
    load(conn, query)
}

/// Whether a closure of the case waits for a decision.
pub fn closure_pending(conn: &mut DbConn, case_id: &str) -> Result<bool, ApiError> {
    let pending: i64 = approvals::table
        .filter(approvals::case_id.eq(case_id))
        .filter(approvals::kind.eq(to_code(&ApprovalKind::Closure)))
        .filter(approvals::status.eq(PENDING))
        .count()
        .get_result(conn)?;
    Ok(pending > 0)
}

/// Records a decision if the approval is still pending (the transaction's first statement;
/// 409 `approval_already_decided` otherwise).
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    status: ApprovalStatus,
    by: &str,
    comment_sealed: Option<String>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let updated = diesel::update(
        approvals::table.filter(approvals::id.eq(id).and(approvals::status.eq(PENDING))),
    )
    .set((
        approvals::status.eq(to_code(&status)),
        approvals::decided_by_id.eq(by),
        approvals::decided_at.eq(now),
        approvals::comment_sealed.eq(comment_sealed),
        approvals::version.eq(approvals::version + 1),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::conflict(
            "approval_already_decided",
            "This approval was already decided.",
        ));
    }
    Ok(())
}

impl Approval {
    /// The approval as `reader` (a user id) may see it: free text for those who see the
    /// case's sensitive fields (`sensitive`) and for the one who asked.
    pub fn response(
        &self,
        keys: &Keyring,
        reader: &str,
        sensitive: bool,
    ) -> Result<ApprovalResponse, ApiError> {
        let r = &self.row;
        let shown = sensitive || r.requested_by_id == reader;
        let (request_text, comment) = if shown {
            let text = open(
                keys,
                ("approvals", "request", &r.id),
                r.request_sealed.as_deref(),
            )?;
            // A JSON document; plain text is shown as a string.
            let text =
                text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)));
            let comment = open(
                keys,
                ("approvals", "comment", &r.id),
                r.comment_sealed.as_deref(),
            )?;
            (text, comment)
        } else {
            (None, None)
        };
        Ok(ApprovalResponse {
            id: uuid(&r.id)?,
            case_id: uuid(&r.case_id)?,
            kind: from_code(&r.kind)?,
            status: from_code(&r.status)?,
            subject_id: r.subject_id.as_deref().map(uuid).transpose()?,
            request: serde_json::from_str(&r.request).map_err(|e| ApiError::Internal(e.into()))?,
            request_text,
            requested_by: uuid(&r.requested_by_id)?,
            requested_at: r.requested_at.and_utc(),
            decided_by: r.decided_by_id.as_deref().map(uuid).transpose()?,
            decided_at: r.decided_at.map(|t| t.and_utc()),
            comment,
        })
    }
}
