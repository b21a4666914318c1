//! One generated child and everything about them: the record, the reports and their screening,
//! the cases with their timeline, and the audit events, as rows of `Tables`.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use rand::Rng;

use super::audit::Chain;
use super::directory::Directory;
use super::dist::{self, Table};
use super::lifecycle::{self, CaseCourse};
use super::names::{self, Names};
use super::protocol::Rules;
use super::sql::V;
use super::staff::Staff;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;

/// Who a child is, kept to make a true duplicate of them later.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) centre: usize,
    pub(super) sex: &'static str,
    pub(super) given: usize,
    pub(super) family: usize,
    pub(super) birth: NaiveDate,
    pub(super) exact: bool,
}

pub struct World<'a> {
    pub(super) staff: &'a Staff,
    pub(super) directory: &'a Directory,
    /// The protocol rules in force, by centre territory.
    pub(super) rules: HashMap<String, Rules>,
    pub(super) keys: &'a Keyring,
    pub(super) now: NaiveDateTime,
    pub(super) start: NaiveDateTime,
    pub(super) territories: Table,
    pub(super) concerns: Table,
    pub(super) sources: Table,
    pub(super) screen_closings: Table,
    pub(super) completed: Table,
    pub(super) early: Table,
    pub(super) services: Table,
    pub(super) note_types: Table,
    pub(super) ages: Table,
    pub(super) names: Names,
    pub(super) sequences: HashMap<(&'static str, String, i32), i32>,
    pub(super) chain: Chain,
    pub(super) recent: Vec<Person>,
    pub(super) domains: HashMap<&'static str, String>,
}

fn place<'a>(table: &'a str, column: &'a str, row_id: &'a str) -> Place<'a> {
    Place {
        table,
        column,
        row_id,
    }
}

/// A JSON list of codes.
pub(super) fn json_list(codes: &[&str]) -> String {
    serde_json::to_string(codes).unwrap_or_else(|_| "[]".into())
}

/// Who a case is about, as its referrals' snapshots show the child.
pub(super) struct ChildFacts<'c> {
    pub id: &'c str,
    /// Given and family names, Arabic then Latin script.
    pub names: [Option<&'static str>; 4],
    pub sex: &'static str,
    pub dob: Option<NaiveDate>,
    pub year: Option<i64>,
    /// The child's situation codes.
    pub situation: Vec<&'static str>,
}

/// A report as written, for its case.
pub(super) struct Filed {
    pub id: String,
    pub concerns: Vec<usize>,
    pub danger: bool,
    pub screened: Option<NaiveDateTime>,
    pub opens: bool,
}

impl<'a> World<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        staff: &'a Staff,
        directory: &'a Directory,
        rules: HashMap<String, Rules>,
        keys: &'a Keyring,
        now: NaiveDateTime,
        start: NaiveDateTime,
        sequences: Vec<(String, String, i32, i32)>,
        chain: Chain,
    ) -> anyhow::Result<World<'a>> {
        let weights: Vec<(&'static str, f64)> = staff
            .centres
            .iter()
            .map(|c| ("", dist::population(&c.territory)))
            .collect();
        let ages: Vec<(&'static str, f64)> = dist::AGES.iter().map(|w| ("", *w)).collect();
        let mut domains = HashMap::new();
        for (code, _) in dist::SERVICES {
            let service: madar_openapi::pathway::ServiceType = crate::codes::from_code(code)?;
            domains.insert(code, crate::codes::to_code(&service.domain()));
        }
        Ok(World {
            staff,
            directory,
            rules,
            keys,
            now,
            start,
            territories: Table::new(&weights),
            concerns: Table::new(&dist::CONCERNS),
            sources: Table::new(&dist::SOURCES),
            screen_closings: Table::new(&dist::SCREEN_CLOSINGS),
            completed: Table::new(&dist::CLOSURES_COMPLETED),
            early: Table::new(&dist::CLOSURES_EARLY),
            services: Table::new(&dist::SERVICES),
            note_types: Table::new(&dist::NOTE_TYPES),
            ages: Table::new(&ages),
            names: Names::new(),
            sequences: sequences
                .into_iter()
                .map(|(s, t, y, v)| {
                    let series = if s == "case" { "case" } else { "report" };
                    ((series, t, y), v)
                })
                .collect(),
            chain,
            recent: Vec::new(),
            domains,
        })
    }

    pub(super) fn seal(
        &self,
        table: &str,
        column: &str,
        id: &str,
        text: &str,
    ) -> anyhow::Result<String> {
        Ok(self.keys.seal(place(table, column, id), text)?)
    }

    pub(super) fn number(&mut self, series: &'static str, territory: &str, year: i32) -> i32 {
        let n = self
            .sequences
            .entry((series, territory.to_string(), year))
            .or_insert(0);
        *n += 1;
        *n
    }

    /// Writes the sequences' counters (inside the final transaction).
    pub fn finish(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        let mut rows = super::sql::Rows::new(
            "reference_sequences",
            "series, territory_code, year, last_value",
        );
        for ((series, territory, year), value) in &self.sequences {
            rows.push(&[
                V::S(series),
                V::S(territory),
                V::I(i64::from(*year)),
                V::I(i64::from(*value)),
            ]);
        }
        if rows.count > 0 {
            diesel::connection::SimpleConnection::batch_execute(
                conn,
                "DELETE FROM reference_sequences",
            )?;
            rows.flush(conn)?;
        }
        self.chain.finish(conn)
    }

    fn person<R: Rng>(&mut self, rng: &mut R) -> Person {
        if !self.recent.is_empty() && rng.gen_bool(0.02) {
            return self.recent[rng.gen_range(0..self.recent.len())].clone();
        }
        let sex = match rng.gen_range(0..100) {
            0..=51 => "male",
            52..=98 => "female",
            _ => "unknown",
        };
        let list = if sex == "female" {
            &self.names.female
        } else {
            &self.names.male
        };
        let given = names::pick_index(rng, list.len());
        let family = names::pick_index(rng, self.names.family.len());
        let person = Person {
            centre: self.territories.pick_index(rng),
            sex,
            given,
            family,
            birth: NaiveDate::MIN,
            exact: rng.gen_bool(0.75),
        };
        if self.recent.len() < 1000 {
            self.recent.push(person.clone());
        } else {
            let i = rng.gen_range(0..self.recent.len());
            self.recent[i] = person.clone();
        }
        person
    }

    /// The names as one writer spells them: (given ar, family ar, given latin, family latin).
    pub(super) fn spelled<R: Rng>(&self, rng: &mut R, p: &Person) -> [Option<&'static str>; 4] {
        let list = if p.sex == "female" {
            &self.names.female
        } else {
            &self.names.male
        };
        let (g, f) = (&list[p.given], &self.names.family[p.family]);
        let script = rng.gen_range(0..100);
        let arabic = script < 88;
        let latin = script >= 8;
        let family = rng.gen_bool(0.97);
        [
            arabic.then(|| names::spelling(rng, &g.arabic)),
            (arabic && family).then(|| names::spelling(rng, &f.arabic)),
            latin.then(|| names::spelling(rng, &g.latin)),
            (latin && family).then(|| names::spelling(rng, &f.latin)),
        ]
    }

    fn concerns_of<R: Rng>(&self, rng: &mut R) -> Vec<usize> {
        let mut list: Vec<usize> = (0..rng.gen_range(1..=3).min(1 + rng.gen_range(0..3)))
            .map(|_| self.concerns.pick_index(rng))
            .collect();
        list.sort();
        list.dedup();
        list
    }

    pub(super) fn codes(&self, list: &[usize]) -> Vec<&'static str> {
        list.iter().map(|i| self.concerns.codes[*i]).collect()
    }

    /// Generates one child and all about them.
    pub fn child<R: Rng>(
        &mut self,
        rng: &mut R,
        ids: &mut Ids,
        t: &mut Tables,
    ) -> anyhow::Result<()> {
        let mut person = self.person(rng);
        let span = (self.now - self.start).num_seconds().max(1) as f64;
        let first = self.start + TimeDelta::seconds((span * rng.gen::<f64>().sqrt()) as i64);
        if person.birth == NaiveDate::MIN {
            let age = self.ages.pick_index(rng) as i64;
            person.birth = (first - TimeDelta::days(age * 365 + rng.gen_range(0..365))).date();
            if let Some(p) = self.recent.last_mut() {
                p.birth = person.birth;
            }
        }
        let staff = self.staff;
        let centre = &staff.centres[person.centre];
        let history = lifecycle::history(rng, first, self.now);
        let child_id = ids.next(first);
        let worker = centre.workers[rng.gen_range(0..centre.workers.len())].clone();
        let names = self.spelled(rng, &person);
        let first_concerns = self.concerns_of(rng);
        let (dob, year) = if person.exact {
            (Some(person.birth), None)
        } else {
            (None, Some(i64::from(person.birth.year())))
        };
        let aliases = if rng.gen_bool(0.04) {
            let list = if person.sex == "female" {
                &self.names.female
            } else {
                &self.names.male
            };
            json_list(&[
                names::misspelled(&list[person.given].latin, names[2].unwrap_or("")).as_str(),
            ])
        } else {
            "[]".to_string()
        };
        let civil = match rng.gen_range(0..100) {
            0..=84 => "registered",
            85..=92 => "unregistered",
            _ => "unknown",
        };
        let nationality = if rng.gen_bool(0.97) {
            "MA"
        } else {
            ["SN", "CI", "GN", "ML", "CM", "SY", "NG"][rng.gen_range(0..7)]
        };
        t.children.push(&[
            V::S(&child_id),
            V::O(names[0]),
            V::O(names[1]),
            V::O(names[2]),
            V::O(names[3]),
            V::S(&aliases),
            V::S(person.sex),
            V::OD(dob),
            year.map_or(V::Null, V::I),
            V::S(nationality),
            V::S(civil),
            V::S(&centre.territory),
            V::S(&json_list(&self.codes(&first_concerns))),
            V::S(&centre.org_id),
            V::S(&worker),
            V::T(first),
            V::T(first),
        ]);
        self.chain.record(
            &mut t.audit_events,
            first,
            ("user", &worker),
            A::ChildCreate,
            Res::Child,
            &child_id,
        );
        let mut filed = Vec::new();
        for (i, plan) in history.reports.iter().enumerate() {
            let concerns = if i == 0 {
                first_concerns.clone()
            } else {
                self.concerns_of(rng)
            };
            filed.push(self.report(rng, ids, t, centre, &person, &child_id, plan, concerns)?);
        }
        let facts = ChildFacts {
            id: &child_id,
            names,
            sex: person.sex,
            dob,
            year,
            situation: self.codes(&first_concerns),
        };
        for (index, course) in history.cases.iter().enumerate() {
            let reports: Vec<&Filed> = history
                .reports
                .iter()
                .zip(&filed)
                .filter(|(p, _)| p.case == Some(index))
                .map(|(_, f)| f)
                .collect();
            super::case::write(self, rng, ids, t, centre, &facts, course, &reports)?;
        }
        Ok(())
    }
}

/// What `case` needs of the world.
impl World<'_> {
    pub(super) fn parts(&mut self) -> Parts<'_> {
        Parts {
            keys: self.keys,
            now: self.now,
            completed: &self.completed,
            early: &self.early,
            services: &self.services,
            note_types: &self.note_types,
            concerns: &self.concerns,
            domains: &self.domains,
            directory: &self.directory.offers,
            rules: &self.rules,
            chain: &mut self.chain,
            sequences: &mut self.sequences,
        }
    }
}

pub(super) struct Parts<'w> {
    pub keys: &'w Keyring,
    pub now: NaiveDateTime,
    pub completed: &'w Table,
    pub early: &'w Table,
    pub services: &'w Table,
    pub note_types: &'w Table,
    pub concerns: &'w Table,
    pub domains: &'w HashMap<&'static str, String>,
    pub directory: &'w HashMap<String, Vec<super::directory::Offer>>,
    pub rules: &'w HashMap<String, Rules>,
    pub chain: &'w mut Chain,
    pub sequences: &'w mut HashMap<(&'static str, String, i32), i32>,
}

impl Parts<'_> {
    pub fn seal(&self, table: &str, column: &str, id: &str, text: &str) -> anyhow::Result<String> {
        Ok(self.keys.seal(place(table, column, id), text)?)
    }

    pub fn number(&mut self, territory: &str, year: i32) -> i32 {
        let n = self
            .sequences
            .entry(("case", territory.to_string(), year))
            .or_insert(0);
        *n += 1;
        *n
    }
}

pub(super) use Filed as FiledReport;
pub(super) type Course = CaseCourse;
pub(super) type Answers = BTreeMap<String, String>;
