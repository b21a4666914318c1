//! Queries on `child_match_keys`: the blocking keys written with each child, and the lookups
//! that find candidates (an indexed range or equality on `key`).
use diesel::prelude::*;

use super::domain::{ChildRecord, Lookups};
use super::matching;
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::child_match_keys;

/// How many candidates a match reads at most: blocking keys keep the real number far lower.
const MAX_CANDIDATES: i64 = 500;

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

/// `<column> IN (SELECT child_id FROM child_match_keys WHERE …)` for one search word, where
/// `column` (a constant: `children.id`, `cases.child_id`) holds a child's id. Written
/// as SQL because diesel cannot put a boxed subquery in `IN` on a `MultiConnection`; the keys
/// are the engine's own (letters, digits, `~`, `:`, `;`), and any other is dropped, so nothing
/// a caller typed reaches the SQL text.
pub fn keyed_sql(column: &'static str, word: &Lookups) -> String {
    let safe = |k: &String| {
        k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '~' | ':' | ';'))
    };
    let mut terms: Vec<String> = word
        .exact
        .iter()
        .filter(|k| safe(k))
        .map(|k| format!("key = '{k}'"))
        .collect();
    terms.extend(
        word.ranges
            .iter()
            .filter(|(lo, hi)| safe(lo) && safe(hi))
            .map(|(lo, hi)| format!("(key >= '{lo}' AND key < '{hi}')")),
    );
    if terms.is_empty() {
        terms.push("1 = 0".into());
    }
    format!(
        "{column} IN (SELECT child_id FROM child_match_keys WHERE {})",
        terms.join(" OR ")
    )
}

/// The ids of the children holding one of the lookups' keys.
fn keyed(
    lookups: &Lookups,
) -> child_match_keys::BoxedQuery<'static, MultiBackend, diesel::sql_types::Text> {
    let mut query = child_match_keys::table
        .select(child_match_keys::child_id)
        .filter(child_match_keys::key.eq_any(lookups.exact.clone()))
        .into_boxed();
    for (lo, hi) in &lookups.ranges {
        query = query.or_filter(
            child_match_keys::key
                .ge(lo.clone())
                .and(child_match_keys::key.lt(hi.clone())),
        );
    }
    query
}

/// The ids of a match's candidates, whatever the caller's scope.
pub fn candidate_ids(conn: &mut DbConn, lookups: &Lookups) -> Result<Vec<String>, ApiError> {
    Ok(keyed(lookups).distinct().limit(MAX_CANDIDATES).load(conn)?)
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
            "children.id IN (SELECT child_id FROM child_match_keys WHERE key = 'g:MHMD' \
             OR (key >= 'gf:MHMD:' AND key < 'gf:MHMD;'))"
        );
        assert!(keyed_sql("children.id", &Lookups::default()).ends_with("WHERE 1 = 0)"));
    }
}
