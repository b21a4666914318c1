//! The intake scenario's requests: a report as the 2511 hotline's system sends it, every one
//! different (children, concerns, external reference, narrative) with its own Idempotency-Key.
use anyhow::Context;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

use crate::load::Call;
use crate::names;
use crate::sample::Sample;

/// A new report from the hotline: one or two children (often a known child, misspelled),
/// unique external reference, narrative and Idempotency-Key.
pub fn report(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sample: &Sample,
    rng: &mut impl Rng,
) -> anyhow::Result<Call> {
    let count = if rng.gen_bool(0.85) { 1 } else { 2 };
    let mut children = Vec::with_capacity(count);
    for _ in 0..count {
        let territory = sample.territories.choose(rng).context("no territory")?;
        let known = sample.children.choose(rng).filter(|_| rng.gen_bool(0.5));
        let child = match known {
            Some(c) => json!({
                "given_name_ar": c.given_ar.as_ref().map(|n| names::arabic_variant(n, rng)),
                "family_name_ar": c.family_ar,
                "given_name_latin": c.given_latin.as_ref().map(|n| names::latin_variant(n, rng)),
                "family_name_latin": c.family_latin,
                "sex": c.sex,
                "estimated_birth_year": c.birth_year,
                "territory": c.territory,
            }),
            None => json!({
                "given_name_latin": (["Yassine", "Salma", "Amine", "Hiba", "Omar", "Khadija"].choose(rng)),
                "family_name_ar": (["العلوي", "بناني", "الإدريسي", "أوعلي"].choose(rng)),
                "sex": (["female", "male", "unknown"].choose(rng)),
                "estimated_birth_year": rng.gen_range(2008..=2025),
                "territory": territory,
                "situation": ["street_situation"],
            }),
        };
        children.push(child);
    }
    let how_many = rng.gen_range(1..=3);
    let concerns: Vec<&str> = CONCERNS.choose_multiple(rng, how_many).copied().collect();
    let id = uuid::Uuid::new_v4();
    let body = json!({
        "source": "hotline_2511",
        "received_at": (chrono::Utc::now() - chrono::TimeDelta::seconds(rng.gen_range(1..120))).to_rfc3339(),
        "external_ref": format!("bench-{}", id.simple()),
        "reporter": {"type": (["anonymous", "neighbour", "parent", "professional"].choose(rng))},
        "children": children,
        "concerns": concerns,
        "immediate_danger": rng.gen_bool(0.05),
        "narrative": format!("Appel {id}: l'enfant est signalé par un voisin, situation à vérifier."),
    });
    Ok(Call {
        request: client
            .post(format!("{}/api/v1/reports", base))
            .bearer_auth(token)
            .header("Idempotency-Key", id.to_string())
            .json(&body),
        label: "POST /api/v1/reports".into(),
    })
}

const CONCERNS: [&str; 10] = [
    "physical_violence",
    "psychological_violence",
    "neglect",
    "abandonment",
    "street_situation",
    "begging_exploitation",
    "out_of_school",
    "economic_exploitation",
    "sexual_violence",
    "family_in_difficulty",
];
