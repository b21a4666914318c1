//! Every column that holds a value sealed by `Keyring` (`v1:<key id>:<base64>`), in one list:
//! `madar keys rotate` re-seals them under the current key and `madar retention run` erases
//! them. A new sealed column is added here, or a test (`every_sealed_place_is_listed`) fails.

/// How a row's id (the `row_id` of its `Place`) is made from its primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowId {
    /// The `id` column.
    Id,
    /// Two key columns, written `<first>/<second>`.
    Pair(&'static str, &'static str),
}

/// Whose record a row belongs to, for retention: the column holding that record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A case's (`case_id`, or `id` in `cases`).
    Case(&'static str),
    /// A child's (`child_id`, or `id` in `children`).
    Child(&'static str),
    /// A report's (`report_id`, or `id` in `reports`).
    Report(&'static str),
    /// Not a record of a child (webhook secrets, idempotency keys).
    None,
}

/// What retention writes in place of the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// NULL (the column is nullable).
    Null,
    /// The text `ERASED`, sealed (the column is NOT NULL and read as text).
    Text,
    /// The whole row is deleted (an attachment: its file and its name go together).
    DeleteRow,
    /// Left as it is (not a record of a child: webhook secrets, stored responses).
    Keep,
    /// A sealed JSON object the API parses (a referral's snapshot) reduced to these fields.
    KeepFields(&'static [&'static str]),
}

/// The text a NOT NULL sealed column holds once erased.
pub const ERASED: &str = "[erased: retention period over]";

#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    /// The column in the database.
    pub column: &'static str,
    /// The column named in the value's associated data (`Place::column`).
    pub place: &'static str,
    pub row_id: RowId,
    pub owner: Owner,
    pub erase: Erase,
    /// Bytes (a file) rather than UTF-8 text.
    pub bytes: bool,
}

const fn col(
    table: &'static str,
    column: &'static str,
    place: &'static str,
    owner: Owner,
    erase: Erase,
) -> SealedColumn {
    SealedColumn {
        table,
        column,
        place,
        row_id: RowId::Id,
        owner,
        erase,
        bytes: false,
    }
}

use Erase::{Null, Text};
use Owner::{Case, Child, Report};

/// Every sealed column.
pub const SEALED_COLUMNS: &[SealedColumn] = &[
    col(
        "reports",
        "reporter_name_sealed",
        "reporter_name",
        Report("id"),
        Null,
    ),
    col(
        "reports",
        "reporter_phone_sealed",
        "reporter_phone",
        Report("id"),
        Null,
    ),
    col(
        "reports",
        "narrative_sealed",
        "narrative",
        Report("id"),
        Null,
    ),
    SealedColumn {
        row_id: RowId::Pair("report_id", "position"),
        ..col(
            "report_children",
            "address_sealed",
            "address",
            Report("report_id"),
            Null,
        )
    },
    col(
        "children",
        "family_situation_sealed",
        "family_situation",
        Child("id"),
        Null,
    ),
    col(
        "children",
        "schooling_sealed",
        "schooling",
        Child("id"),
        Null,
    ),
    col(
        "child_consents",
        "purpose_sealed",
        "purpose",
        Child("child_id"),
        Text,
    ),
    col(
        "child_consents",
        "withdrawal_reason_sealed",
        "withdrawal_reason",
        Child("child_id"),
        Null,
    ),
    col(
        "child_guardians",
        "name_sealed",
        "name",
        Child("child_id"),
        Text,
    ),
    col(
        "child_guardians",
        "phone_sealed",
        "phone",
        Child("child_id"),
        Null,
    ),
    col(
        "child_guardians",
        "address_sealed",
        "address",
        Child("child_id"),
        Null,
    ),
    col(
        "cases",
        "outcome_note_sealed",
        "outcome_note",
        Case("id"),
        Null,
    ),
    col("case_events", "note_sealed", "note", Case("case_id"), Null),
    col("case_notes", "text_sealed", "text", Case("case_id"), Text),
    col(
        "case_services",
        "notes_sealed",
        "notes",
        Case("case_id"),
        Null,
    ),
    col(
        "case_assessments",
        "override_justification_sealed",
        "override_justification",
        Case("case_id"),
        Null,
    ),
    col(
        "plan_objectives",
        "description_sealed",
        "description",
        Case("case_id"),
        Text,
    ),
    col(
        "plan_actions",
        "description_sealed",
        "description",
        Case("case_id"),
        Text,
    ),
    col(
        "placements",
        "reason_sealed",
        "reason",
        Case("case_id"),
        Null,
    ),
    col(
        "judicial_measures",
        "outcome_sealed",
        "outcome",
        Case("case_id"),
        Null,
    ),
    col(
        "case_transfers",
        "reason_sealed",
        "reason",
        Case("case_id"),
        Null,
    ),
    col(
        "case_transfers",
        "comment_sealed",
        "comment",
        Case("case_id"),
        Null,
    ),
    col(
        "access_grants",
        "reason_sealed",
        "reason",
        Case("case_id"),
        Text,
    ),
    col(
        "legal_holds",
        "reason_sealed",
        "reason",
        Case("case_id"),
        Text,
    ),
    SealedColumn {
        bytes: true,
        ..col(
            "case_attachments",
            "content_sealed",
            "content",
            Case("case_id"),
            Erase::DeleteRow,
        )
    },
    col(
        "approvals",
        "request_sealed",
        "request",
        Case("case_id"),
        Null,
    ),
    col(
        "approvals",
        "comment_sealed",
        "comment",
        Case("case_id"),
        Null,
    ),
    col(
        "referrals",
        "reason_sealed",
        "reason",
        Case("case_id"),
        Text,
    ),
    col(
        "referrals",
        "snapshot_sealed",
        "snapshot",
        Case("case_id"),
        Erase::KeepFields(&["taken_at"]),
    ),
    col(
        "referrals",
        "override_reason_sealed",
        "override_reason",
        Case("case_id"),
        Null,
    ),
    col(
        "referrals",
        "decline_reason_sealed",
        "decline_reason",
        Case("case_id"),
        Null,
    ),
    col(
        "referrals",
        "feedback_sealed",
        "feedback",
        Case("case_id"),
        Null,
    ),
    col(
        "referrals",
        "cancel_reason_sealed",
        "cancel_reason",
        Case("case_id"),
        Null,
    ),
    // The place's column is the stored column's own name here.
    col(
        "protocol_actions",
        "waiver_reason_sealed",
        "waiver_reason_sealed",
        Case("case_id"),
        Null,
    ),
    col("webhooks", "secret", "secret", Owner::None, Erase::Keep),
    col(
        "webhooks",
        "previous_secret",
        "previous_secret",
        Owner::None,
        Erase::Keep,
    ),
    // Stored responses; rows written before bodies were sealed hold plain JSON (left as is).
    SealedColumn {
        row_id: RowId::Pair("actor_id", "key"),
        ..col("idempotency_keys", "body", "body", Owner::None, Erase::Keep)
    },
];

/// Whether `table`'s place column `place` is listed.
pub fn is_listed(table: &str, place: &str) -> bool {
    SEALED_COLUMNS
        .iter()
        .any(|c| c.table == table && c.place == place)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("crypto/sealed_columns.rs")
            {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path.display().to_string(), text));
                }
            }
        }
    }

    /// The string literals of a source file, with the text between each and the one before.
    fn literals(text: &str) -> Vec<(String, String)> {
        let bytes = text.as_bytes();
        let (mut out, mut i, mut gap_start) = (Vec::new(), 0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 3,
                b'\'' if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 3) == Some(&b'\'') => {
                    i += 4
                }
                b'"' => {
                    let start = i + 1;
                    let mut j = start;
                    while j < bytes.len() && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    let end = j.min(bytes.len());
                    out.push((text[gap_start..i].to_string(), text[start..end].to_string()));
                    i = end + 1;
                    gap_start = i.min(bytes.len());
                }
                _ => i += 1,
            }
        }
        out
    }

    /// Every place named with literals in the sources (`Place { table: "t", column: "c" ...}`,
    /// `place("t", "c", ...)`, `("t", "c", id)`, `seal(keys, "t", "c", ...)`) is in the list.
    #[test]
    fn every_sealed_place_is_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("src"), &mut files);
        assert!(files.len() > 50, "the sources were not found");
        let tables: BTreeSet<&str> = SEALED_COLUMNS.iter().map(|c| c.table).collect();
        let mut missing = BTreeSet::new();
        let mut seen = 0;
        for (path, text) in &files {
            let lits = literals(text);
            for pair in lits.windows(2) {
                let ((before, table), (gap, column)) = (&pair[0], &pair[1]);
                let before = before.split_whitespace().collect::<String>();
                let gap = gap.split_whitespace().collect::<String>();
                let sealing = [
                    "place(",
                    "Place{table:",
                    "seal(",
                    "open(",
                    "keys,(",
                    "keys,",
                    "=(",
                ]
                .iter()
                .any(|m| before.ends_with(m));
                if !tables.contains(table.as_str())
                    || !sealing
                    || !(gap == "," || gap == ",column:")
                {
                    continue;
                }
                seen += 1;
                if !is_listed(table, column) {
                    missing.insert(format!("{table}.{column} ({path})"));
                }
            }
        }
        assert!(seen > 20, "only {seen} places found: the scan is broken");
        assert!(
            missing.is_empty(),
            "sealed places missing from SEALED_COLUMNS: {missing:?}"
        );
    }

    /// Every listed column exists in the schema.
    #[test]
    fn every_listed_column_is_in_the_schema() {
        let schema = include_str!("../schema.rs");
        for c in SEALED_COLUMNS {
            let start = schema
                .find(&format!("    {} (", c.table))
                .unwrap_or_else(|| panic!("no table {}", c.table));
            let block = &schema[start..];
            let block = &block[..block.find('}').unwrap_or(block.len())];
            assert!(
                block.contains(&format!("        {} ->", c.column)),
                "no column {}.{}",
                c.table,
                c.column
            );
            if let RowId::Pair(a, b) = c.row_id {
                assert!(block.contains(&format!("({a}, {b})")), "{} key", c.table);
            }
        }
    }
}
