//! What the scenarios need, read straight from the dataset's database (SQLite or PostgreSQL):
//! the hotline's API client, coordinators with cases and children in their territory, case
//! workers, and a random sample of known children (their names feed the duplicate search and
//! the reports sent at intake).
use std::collections::HashMap;

use anyhow::{bail, Context};
use rand::seq::SliceRandom;

/// A child of the dataset, as the matching scenario misspells it.
#[derive(Debug, Clone)]
pub struct KnownChild {
    pub id: String,
    pub given_ar: Option<String>,
    pub family_ar: Option<String>,
    pub given_latin: Option<String>,
    pub family_latin: Option<String>,
    pub sex: String,
    pub birth_year: Option<i32>,
    pub territory: String,
    pub territory_path: String,
}

#[derive(Debug, Default)]
pub struct Sample {
    pub hotline_client: String,
    /// (coordinator's user id, a case in their territory).
    pub case_reads: Vec<(String, String)>,
    /// (coordinator's user id, a child in their territory).
    pub child_reads: Vec<(String, String)>,
    pub case_workers: Vec<String>,
    pub coordinators: Vec<String>,
    /// Each coordinator with the code of their territory (their provincial report's).
    pub coordinator_territories: Vec<(String, String)>,
    /// Analysts (the national dashboard's readers; the demo's analyst in a generated set).
    pub analysts: Vec<String>,
    pub children: Vec<KnownChild>,
    /// Territory codes reports may name (where the sampled children live).
    pub territories: Vec<String>,
}

/// Rows of text columns (every column cast to text by the query).
fn rows(url: &str, sql: &str) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut client = postgres::Client::connect(url, postgres::NoTls)
            .with_context(|| format!("connecting to {url}"))?;
        let found = client.query(sql, &[]).with_context(|| sql.to_string())?;
        Ok(found
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.get::<_, Option<String>>(i))
                    .collect()
            })
            .collect())
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .with_context(|| format!("opening {path}"))?;
        let mut statement = conn.prepare(sql).with_context(|| sql.to_string())?;
        let width = statement.column_count();
        let found = statement
            .query_map([], |r| {
                (0..width)
                    .map(|i| r.get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(found)
    }
}

fn text(row: &[Option<String>], i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

/// Reads the sample: `size` random cases and children at most.
pub fn read(url: &str, size: usize) -> anyhow::Result<Sample> {
    let paths: HashMap<String, String> = rows(url, "SELECT code, path FROM territories")?
        .into_iter()
        .map(|r| (text(&r, 0), text(&r, 1)))
        .collect();
    let hotline = rows(
        url,
        "SELECT a.id FROM api_clients a JOIN organizations o ON o.id = a.organization_id \
         WHERE a.role = 'hotline' AND a.active AND o.active ORDER BY a.created_at LIMIT 1",
    )?;
    let Some(hotline_client) = hotline.first().map(|r| text(r, 0)) else {
        bail!("no active hotline API client in {url} (madar client create --role hotline ...)");
    };
    let users_of = |role: &str| {
        rows(
            url,
            &format!(
                "SELECT u.id, u.territory_code FROM users u \
                 JOIN organizations o ON o.id = u.organization_id \
                 WHERE u.role = '{role}' AND u.active AND o.active ORDER BY u.id"
            ),
        )
    };
    let coordinator_rows = users_of("coordinator")?;
    let coordinator_territories: Vec<(String, String)> = coordinator_rows
        .iter()
        .map(|r| (text(r, 0), text(r, 1)))
        .collect();
    let analysts: Vec<String> = users_of("analyst")?.iter().map(|r| text(r, 0)).collect();
    let coordinators: Vec<(String, String)> = coordinator_rows
        .into_iter()
        .map(|r| {
            (
                text(&r, 0),
                paths.get(&text(&r, 1)).cloned().unwrap_or_default(),
            )
        })
        .filter(|(_, path)| !path.is_empty())
        .collect();
    let case_workers: Vec<String> = users_of("case_worker")?
        .into_iter()
        .map(|r| text(&r, 0))
        .collect();
    let cases = rows(
        url,
        &format!("SELECT id, territory_code FROM cases ORDER BY random() LIMIT {size}"),
    )?;
    let children: Vec<KnownChild> = rows(
        url,
        &format!(
            "SELECT id, given_name_ar, family_name_ar, given_name_latin, family_name_latin, sex, \
             CAST(date_of_birth AS TEXT), CAST(estimated_birth_year AS TEXT), territory_code \
             FROM children WHERE merged_into IS NULL ORDER BY random() LIMIT {size}"
        ),
    )?
    .into_iter()
    .map(|r| {
        let year = r[6]
            .as_deref()
            .and_then(|d| d.get(..4))
            .or(r[7].as_deref())
            .and_then(|y| y.parse().ok());
        let territory = text(&r, 8);
        KnownChild {
            id: text(&r, 0),
            given_ar: r[1].clone(),
            family_ar: r[2].clone(),
            given_latin: r[3].clone(),
            family_latin: r[4].clone(),
            sex: text(&r, 5),
            birth_year: year,
            territory_path: paths.get(&territory).cloned().unwrap_or_default(),
            territory,
        }
    })
    .collect();
    let mut rng = rand::thread_rng();
    let mut pick = |path: &str| -> Option<String> {
        let able: Vec<&(String, String)> = coordinators
            .iter()
            .filter(|(_, scope)| path.starts_with(scope.as_str()))
            .collect();
        able.choose(&mut rng).map(|(id, _)| id.clone())
    };
    let case_reads = cases
        .iter()
        .filter_map(|r| {
            let path = paths.get(&text(r, 1))?;
            Some((pick(path)?, text(r, 0)))
        })
        .collect();
    let child_reads = children
        .iter()
        .filter_map(|c| Some((pick(&c.territory_path)?, c.id.clone())))
        .collect();
    let mut territories: Vec<String> = children.iter().map(|c| c.territory.clone()).collect();
    territories.sort();
    territories.dedup();
    if territories.is_empty() {
        territories = rows(
            url,
            "SELECT code FROM territories WHERE level IN ('province', 'prefecture')",
        )?
        .iter()
        .map(|r| text(r, 0))
        .collect();
    }
    Ok(Sample {
        hotline_client,
        case_reads,
        child_reads,
        case_workers,
        coordinators: coordinators.into_iter().map(|(id, _)| id).collect(),
        coordinator_territories,
        analysts,
        children,
        territories,
    })
}
