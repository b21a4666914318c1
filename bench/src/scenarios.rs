//! The scenarios of the benchmark (issue 5): intake, case read, work list, child match, the
//! provincial report and the national dashboard (issue 8), and a mixed run. Each turns the
//! sample into a stream of requests with real tokens, unique bodies and Idempotency-Keys.
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::intake;
use crate::load::Call;
use crate::names;
use crate::sample::Sample;
use crate::tokens::{Kind, Minter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Intake,
    CaseRead,
    WorkList,
    ChildMatch,
    /// A coordinator's provincial report of last year (JSON).
    ProvincialReport,
    /// The national dashboard of last year, as an analyst reads it.
    Dashboard,
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Intake,
        Scenario::CaseRead,
        Scenario::WorkList,
        Scenario::ChildMatch,
        Scenario::ProvincialReport,
        Scenario::Dashboard,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Intake => "intake",
            Scenario::CaseRead => "case-read",
            Scenario::WorkList => "work-list",
            Scenario::ChildMatch => "child-match",
            Scenario::ProvincialReport => "provincial-report",
            Scenario::Dashboard => "dashboard",
            Scenario::Mixed => "mixed",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// How many users send at once: `default`, except the reports committees and the ministry
    /// read, which a handful of readers ask for, not a crowd (at most 4).
    pub fn concurrency(self, default: usize) -> usize {
        match self {
            Scenario::ProvincialReport | Scenario::Dashboard => default.min(4),
            _ => default,
        }
    }
}

/// The year the statistics scenarios read: the last whole one.
fn last_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year() - 1
}

/// Everything a request needs: the client, the sample, and a token per actor.
pub struct Ctx {
    client: reqwest::Client,
    base: String,
    sample: Arc<Sample>,
    tokens: HashMap<String, String>,
}

impl Ctx {
    /// Tokens for every sampled actor, fresh (15 minutes: one context per scenario).
    pub fn new(
        client: reqwest::Client,
        base: &str,
        sample: Arc<Sample>,
        minter: &Minter,
    ) -> anyhow::Result<Ctx> {
        let mut tokens = HashMap::new();
        tokens.insert(
            sample.hotline_client.clone(),
            minter.token(Kind::Client, &sample.hotline_client)?,
        );
        let users = sample
            .case_reads
            .iter()
            .chain(&sample.child_reads)
            .map(|(u, _)| u)
            .chain(&sample.case_workers)
            .chain(&sample.coordinators)
            .chain(&sample.analysts);
        for user in users {
            if !tokens.contains_key(user) {
                tokens.insert(user.clone(), minter.token(Kind::User, user)?);
            }
        }
        Ok(Ctx {
            client,
            base: base.to_string(),
            sample,
            tokens,
        })
    }

    fn get(&self, actor: &str, path: String) -> anyhow::Result<Call> {
        let token = self.tokens.get(actor).context("no token")?;
        Ok(Call {
            request: self
                .client
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
            label: format!("GET {path}"),
        })
    }

    /// Whether the sample can feed `scenario` (an empty dataset cannot read cases).
    pub fn missing(&self, scenario: Scenario) -> Option<&'static str> {
        let s = &self.sample;
        match scenario {
            Scenario::CaseRead if s.case_reads.is_empty() => {
                Some("no case in a coordinator's territory")
            }
            Scenario::WorkList if s.case_workers.is_empty() => Some("no case worker"),
            Scenario::ChildMatch if s.children.is_empty() => Some("no child"),
            Scenario::Mixed if s.case_reads.is_empty() || s.case_workers.is_empty() => {
                Some("no case or case worker")
            }
            Scenario::ProvincialReport if s.coordinator_territories.is_empty() => {
                Some("no coordinator")
            }
            Scenario::Dashboard if s.analysts.is_empty() => Some("no analyst"),
            _ => None,
        }
    }

    /// The next request of `scenario`.
    pub fn call(&self, scenario: Scenario) -> anyhow::Result<Call> {
        let mut rng = rand::thread_rng();
        match scenario {
            Scenario::Intake => self.report(&mut rng),
            Scenario::CaseRead => {
                let (user, case) = self.sample.case_reads.choose(&mut rng).context("no case")?;
                self.get(user, format!("/api/v1/cases/{case}"))
            }
            Scenario::WorkList => self.work_list(&mut rng),
            Scenario::ChildMatch => {
                let child = self.sample.children.choose(&mut rng).context("no child")?;
                let actor = self
                    .sample
                    .coordinators
                    .choose(&mut rng)
                    .context("no coordinator")?;
                let query = names::match_query(child, &mut rng);
                let query = serde_urlencoded_pairs(&query);
                self.get(actor, format!("/api/v1/children/matches?{query}"))
            }
            Scenario::ProvincialReport => {
                let (user, code) = self
                    .sample
                    .coordinator_territories
                    .choose(&mut rng)
                    .context("no coordinator")?;
                let year = last_year();
                self.get(
                    user,
                    format!("/api/v1/statistics/territories/{code}/report?year={year}"),
                )
            }
            Scenario::Dashboard => {
                let analyst = self
                    .sample
                    .analysts
                    .choose(&mut rng)
                    .context("no analyst")?;
                let year = last_year();
                self.get(
                    analyst,
                    format!("/api/v1/statistics/dashboard?territory=MA&year={year}"),
                )
            }
            Scenario::Mixed => {
                let roll: f64 = rng.gen();
                if roll < 0.35 {
                    self.call(Scenario::CaseRead)
                } else if roll < 0.70 && !self.sample.child_reads.is_empty() {
                    let (user, child) = self
                        .sample
                        .child_reads
                        .choose(&mut rng)
                        .context("no child")?;
                    self.get(user, format!("/api/v1/children/{child}"))
                } else if roll < 0.70 {
                    self.call(Scenario::CaseRead)
                } else if roll < 0.90 {
                    self.work_list(&mut rng)
                } else {
                    self.report(&mut rng)
                }
            }
        }
    }

    /// A new report from the hotline (`intake::report`).
    fn report(&self, rng: &mut impl Rng) -> anyhow::Result<Call> {
        let hotline = &self.sample.hotline_client;
        let token = self.tokens.get(hotline).context("no hotline token")?;
        intake::report(&self.client, &self.base, token, &self.sample, rng)
    }

    /// A case worker's first page, urgent first: their own cases mostly, sometimes a stage.
    fn work_list(&self, rng: &mut impl Rng) -> anyhow::Result<Call> {
        let worker = self
            .sample
            .case_workers
            .choose(rng)
            .context("no case worker")?;
        let roll: f64 = rng.gen();
        let query = if roll < 0.6 {
            "assigned_to=me".to_string()
        } else if roll < 0.8 {
            let stage = [
                "identification",
                "assessment",
                "planning",
                "implementation",
                "follow_up",
            ]
            .choose(rng)
            .copied()
            .unwrap_or("assessment");
            format!("stage={stage}")
        } else {
            String::new()
        };
        self.get(worker, format!("/api/v1/cases?{query}"))
    }
}

/// `a=b&c=d`, percent-encoded (Arabic names).
fn serde_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    let mut url = reqwest::Url::parse("http://x/").unwrap_or_else(|_| unreachable!());
    url.query_pairs_mut()
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    url.query().unwrap_or_default().to_string()
}
