//! Finding text in columns, the same way on both backends: `lower(column) LIKE pattern ESCAPE
//! '\'` with the pattern of [`like_pattern`]. `lower` folds ASCII on SQLite and every script on
//! PostgreSQL; Arabic has no case.

diesel::define_sql_function!(
    /// SQL `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// A `LIKE` pattern finding `q` anywhere (lowercase; `%`, `_` and `\` escaped with `\`).
pub fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(like_pattern(" Centre "), "%centre%");
        assert_eq!(like_pattern("50%_"), "%50\\%\\_%");
    }
}
