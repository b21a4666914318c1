//! Queries on `child_match_keys`: the blocking keys written with each child, and the lookups
//! that find candidates (an indexed range or equality on `key`).
use diesel::prelude::*;

use super::domain::{ChildRecord, Lookups};
use super::matching;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::child_match_keys;

/// How many candidates a match scores at most.
const MAX_CANDIDATES: usize = 200;

/// Replaces a child's keys with those of its record (in the record's transaction).
pub fn write_keys(conn: &mut DbConn, id: &str, record: &ChildRecord) -> Result<(), ApiError> {
    diesel::delete(child_match_keys::table.filter(child_match_keys::child_id.eq(id)))
        .execute(conn)?;
    for key in matching::blocking_keys(&record.identity()?) {
        diesel::insert_into(child_match_keys::table)
            .values((
                child_match_keys::key.eq(key),
                child_match_keys::child_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a key is the engine's own (letters, digits, `~`, `:`, `;`): only those reach SQL
/// text, so nothing a caller typed does.
fn safe(key: &str) -> bool {
    key.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '~' | ':' | ';'))
}

/// The SQL conditions on `key` that one search's lookups make, with what a hit on each says
/// (its weight): an equality per exact key, a range per prefix. Written as SQL because diesel
/// can neither put a boxed subquery in `IN` on a `MultiConnection` nor group a union.
fn terms(lookups: &Lookups) -> Vec<(String, u32)> {
    let mut terms: Vec<(String, u32)> = lookups
        .exact
        .iter()
        .filter(|k| safe(k))
        .map(|k| (format!("key = '{k}'"), weight(k)))
        .collect();
    terms.extend(
        lookups
            .ranges
            .iter()
            .filter(|(lo, hi)| safe(lo) && safe(hi))
            .map(|(lo, hi)| (format!("key >= '{lo}' AND key < '{hi}'"), 1)),
    );
    terms
}

/// What sharing a key says: a name paired with the other name's initial (`gf:`, `fg:`) says
/// more than a name with a birth bucket (`gy:`, `fy:`) or a name alone (`g:`, `f:`), so a
/// child sharing both names' keys outranks the many namesakes born the same year.
fn weight(key: &str) -> u32 {
    if key.starts_with("gf:") || key.starts_with("fg:") {
        3
    } else {
        1
    }
}

/// `<column> IN (SELECT child_id FROM child_match_keys WHERE …)` for one search word, where
/// `column` (a constant: `children.id`, `cases.child_id`) holds a child's id.
pub fn keyed_sql(column: &'static str, word: &Lookups) -> String {
    let mut conditions: Vec<String> = terms(word)
        .into_iter()
        .map(|(condition, _)| format!("({condition})"))
        .collect();
    if conditions.is_empty() {
        conditions.push("1 = 0".into());
    }
    format!(
        "{column} IN (SELECT child_id FROM child_match_keys WHERE {})",
        conditions.join(" OR ")
    )
}

#[derive(QueryableByName)]
struct CandidateId {
    #[diesel(sql_type = diesel::sql_types::Text)]
    child_id: String,
}

/// The ids of a match's candidates, whatever the caller's scope: the children holding one of
/// the lookups' keys, those whose shared keys say the most first, at most [`MAX_CANDIDATES`]
/// (a common name's keys hold thousands of children at national scale: the engine scores
/// the best-keyed of them, not an arbitrary few). One index-only range scan of the primary
/// key (`key`, `child_id`) per key, summed by child.
pub fn candidate_ids(conn: &mut DbConn, lookups: &Lookups) -> Result<Vec<String>, ApiError> {
    let hits: Vec<String> = terms(lookups)
        .into_iter()
        .map(|(condition, weight)| {
            format!("SELECT child_id, {weight} AS w FROM child_match_keys WHERE {condition}")
        })
        .collect();
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT child_id FROM ({}) hits GROUP BY child_id \
         ORDER BY SUM(w) DESC, child_id LIMIT {MAX_CANDIDATES}",
        hits.join(" UNION ALL ")
    );
    let rows: Vec<CandidateId> = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).load(pg)?,
        DbConn::Sqlite(lite) => diesel::sql_query(sql).load(lite)?,
    };
    Ok(rows.into_iter().map(|r| r.child_id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_puts_only_the_engines_keys_in_sql() {
        let word = Lookups {
            exact: vec!["g:MHMD".into(), "g:X' OR 1=1 --".into()],
            ranges: vec![("gf:MHMD:".into(), "gf:MHMD;".into())],
        };
        assert_eq!(
            keyed_sql("children.id", &word),
            "children.id IN (SELECT child_id FROM child_match_keys WHERE (key = 'g:MHMD') \
             OR (key >= 'gf:MHMD:' AND key < 'gf:MHMD;'))"
        );
        assert!(keyed_sql("children.id", &Lookups::default()).ends_with("WHERE 1 = 0)"));
    }
}
