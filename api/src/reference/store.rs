//! Queries on `territories` and `reference_items`.
use diesel::prelude::*;
use madar_openapi::common::{Labels, PartialLabels};
use madar_openapi::reference::{
    ReferenceItem, ReferenceParent, TerritoryLevel, TerritoryNode, TerritoryResponse,
};

use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{reference_items, territories};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = territories)]
pub struct TerritoryRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub path: String,
    pub name_ar: String,
    pub name_fr: String,
    pub name_en: String,
    pub iso_code: Option<String>,
    pub position: i32,
    pub version: i32,
}

fn level(text: &str) -> Result<TerritoryLevel, ApiError> {
    Ok(match text {
        "nation" => TerritoryLevel::Nation,
        "region" => TerritoryLevel::Region,
        "prefecture" => TerritoryLevel::Prefecture,
        "province" => TerritoryLevel::Province,
        "prefecture_of_arrondissements" => TerritoryLevel::PrefectureOfArrondissements,
        other => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "stored territory level {other:?}"
            )))
        }
    })
}

impl TerritoryRow {
    fn labels(&self) -> Labels {
        Labels {
            ar: self.name_ar.clone(),
            fr: self.name_fr.clone(),
            en: self.name_en.clone(),
        }
    }

    pub fn response(&self) -> Result<TerritoryResponse, ApiError> {
        Ok(TerritoryResponse {
            code: self.code.clone(),
            parent_code: self.parent_code.clone(),
            level: level(&self.level)?,
            labels: self.labels(),
            iso_code: self.iso_code.clone(),
        })
    }
}

pub fn all(conn: &mut DbConn) -> Result<Vec<TerritoryRow>, ApiError> {
    Ok(territories::table
        .select(TerritoryRow::as_select())
        .order((territories::parent_code, territories::position))
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<TerritoryRow, ApiError> {
    Ok(territories::table
        .find(code)
        .select(TerritoryRow::as_select())
        .first(conn)?)
}

/// Whether every code names a territory.
pub fn all_exist(conn: &mut DbConn, codes: &[String]) -> Result<bool, ApiError> {
    let found: i64 = territories::table
        .filter(territories::code.eq_any(codes))
        .count()
        .get_result(conn)?;
    let mut unique = codes.to_vec();
    unique.sort();
    unique.dedup();
    Ok(found == unique.len() as i64)
}

/// Builds the tree from rows ordered by position.
pub fn tree(rows: &[TerritoryRow]) -> Result<Vec<TerritoryNode>, ApiError> {
    fn children(
        rows: &[TerritoryRow],
        parent: Option<&str>,
    ) -> Result<Vec<TerritoryNode>, ApiError> {
        let mut kids: Vec<&TerritoryRow> = rows
            .iter()
            .filter(|r| r.parent_code.as_deref() == parent)
            .collect();
        kids.sort_by_key(|r| r.position);
        kids.into_iter()
            .map(|r| {
                Ok(TerritoryNode {
                    code: r.code.clone(),
                    level: level(&r.level)?,
                    labels: r.labels(),
                    iso_code: r.iso_code.clone(),
                    children: children(rows, Some(&r.code))?,
                })
            })
            .collect()
    }
    children(rows, None)
}

/// Corrects a territory's names if it is still at `version` (compare-and-set).
pub fn rename(
    conn: &mut DbConn,
    code: &str,
    version: i32,
    labels: &PartialLabels,
    now: chrono::NaiveDateTime,
) -> Result<TerritoryRow, ApiError> {
    let current = find(conn, code)?;
    let updated = diesel::update(
        territories::table.filter(
            territories::code
                .eq(code)
                .and(territories::version.eq(version)),
        ),
    )
    .set((
        territories::name_ar.eq(labels.ar.clone().unwrap_or(current.name_ar)),
        territories::name_fr.eq(labels.fr.clone().unwrap_or(current.name_fr)),
        territories::name_en.eq(labels.en.clone().unwrap_or(current.name_en)),
        territories::version.eq(version + 1),
        territories::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    find(conn, code)
}

pub fn list_names(conn: &mut DbConn) -> Result<Vec<String>, ApiError> {
    Ok(reference_items::table
        .select(reference_items::list)
        .distinct()
        .order(reference_items::list)
        .load(conn)?)
}

/// One row of `reference_items`, as a list shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reference_items)]
struct ItemRow {
    code: String,
    label_ar: String,
    label_fr: String,
    label_en: String,
    parent_list: Option<String>,
    parent_code: Option<String>,
}

pub fn list_items(conn: &mut DbConn, list: &str) -> Result<Vec<ReferenceItem>, ApiError> {
    let rows: Vec<ItemRow> = reference_items::table
        .filter(reference_items::list.eq(list))
        .order(reference_items::position)
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ReferenceItem {
            code: r.code,
            labels: Labels {
                ar: r.label_ar,
                fr: r.label_fr,
                en: r.label_en,
            },
            parent: r
                .parent_list
                .zip(r.parent_code)
                .map(|(list, code)| ReferenceParent { list, code }),
        })
        .collect())
}
