//! Evaluation against the labelled corpus `tests/data/matching-corpus.tsv`: precision of
//! `likely` decisions and recall@5 through the blocking keys, as the issue asks (≥ 0.9 each).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{blocking_keys, score, Birth, Decision, Identity, Sex, Territory};

const CORPUS: &str = include_str!("../../../../tests/data/matching-corpus.tsv");

struct Pair {
    id: String,
    is_match: bool,
    kind: String,
    a: Identity,
    b: Identity,
}

fn record(cols: &[&str]) -> Identity {
    let birth = match cols[5] {
        "" => None,
        y if y.starts_with('~') => Some(Birth::estimated_year(y[1..].parse().unwrap()).unwrap()),
        d => Some(Birth::date(
            NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
        )),
    };
    let territory = match cols[6] {
        "" => None,
        path if path.contains('/') => {
            let code = path.trim_end_matches('/').rsplit('/').next().unwrap();
            Some(Territory::with_path(code, path).unwrap())
        }
        code => Some(Territory::parse(code).unwrap()),
    };
    Identity::builder()
        .given_name_ar(cols[0])
        .family_name_ar(cols[1])
        .given_name_latin(cols[2])
        .family_name_latin(cols[3])
        .sex(Sex::parse(cols[4]))
        .birth(birth)
        .territory(territory)
        .build()
        .unwrap()
}

fn pairs() -> Vec<Pair> {
    CORPUS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("pair\t") && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 17, "{line}");
            Pair {
                id: cols[0].to_owned(),
                is_match: cols[1] == "match",
                kind: cols[2].to_owned(),
                a: record(&cols[3..10]),
                b: record(&cols[10..17]),
            }
        })
        .collect()
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

#[test]
fn corpus_is_large_and_balanced_enough() {
    let pairs = pairs();
    let matches = pairs.iter().filter(|p| p.is_match).count();
    assert!(pairs.len() >= 300, "{}", pairs.len());
    assert!(matches >= 150 && pairs.len() - matches >= 100);
}

#[test]
fn corpus_precision_and_recall_at_5_reach_0_9() {
    let pairs = pairs();
    // Records: 2 per pair; record 2i is pair i's a, 2i+1 its b. Same child = same pair + match.
    let records: Vec<&Identity> = pairs.iter().flat_map(|p| [&p.a, &p.b]).collect();
    let same_child = |x: usize, y: usize| x / 2 == y / 2 && pairs[x / 2].is_match;
    let keys: Vec<Vec<String>> = records.iter().map(|r| blocking_keys(r)).collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, ks) in keys.iter().enumerate() {
        for k in ks {
            index.entry(k.as_str()).or_default().push(i);
        }
    }

    // Pairwise: every labelled pair scored directly.
    let (mut likely, mut likely_true, mut matches_likely) = (0, 0, 0);
    for p in &pairs {
        let m = score(&p.a, &p.b);
        if m.decision == Some(Decision::Likely) {
            likely += 1;
            likely_true += usize::from(p.is_match);
            if !p.is_match {
                println!(
                    "false likely {} {} {:.3} {:?}",
                    p.id, p.kind, m.score, m.reasons
                );
            }
        }
        matches_likely += usize::from(p.is_match && m.decision == Some(Decision::Likely));
    }

    // Retrieval: every record queries the pool of records sharing a key with it.
    let (mut r_likely, mut r_likely_true, mut found, mut wanted, mut keyed) = (0, 0, 0, 0, 0);
    let mut pool_sizes = Vec::new();
    for q in 0..records.len() {
        let pool: HashSet<usize> = keys[q]
            .iter()
            .flat_map(|k| index[k.as_str()].iter().copied())
            .filter(|&c| c != q)
            .collect();
        pool_sizes.push(pool.len());
        let mut ranked: Vec<(usize, super::Match)> = pool
            .iter()
            .map(|&c| (c, score(records[q], records[c])))
            .filter(|(_, m)| m.decision.is_some())
            .collect();
        ranked.sort_by(|x, y| y.1.score.total_cmp(&x.1.score).then(x.0.cmp(&y.0)));
        for (c, m) in &ranked {
            if m.decision == Some(Decision::Likely) {
                r_likely += 1;
                r_likely_true += usize::from(same_child(q, *c));
                if !same_child(q, *c) && q < *c && q / 2 != *c / 2 {
                    println!(
                        "retrieved false likely {} ~ {} {:.3} {:?}",
                        pairs[q / 2].id,
                        pairs[*c / 2].id,
                        m.score,
                        m.reasons
                    );
                }
            }
        }
        let partner = q ^ 1;
        if same_child(q, partner) {
            wanted += 1;
            keyed += usize::from(pool.contains(&partner));
            let top5 = ranked.iter().take(5).any(|(c, _)| *c == partner);
            found += usize::from(top5);
            if !top5 && q % 2 == 0 {
                let p = &pairs[q / 2];
                let m = score(records[q], records[partner]);
                let in_pool = pool.contains(&partner);
                println!(
                    "missed {} {} pool={in_pool} {:.3} {:?}",
                    p.id, p.kind, m.score, m.reasons
                );
            }
        }
    }
    let precision = ratio(likely_true, likely);
    let retrieval_precision = ratio(r_likely_true, r_likely);
    let recall5 = ratio(found, wanted);
    let max_pool = pool_sizes.iter().max().copied().unwrap_or(0);
    let mean_pool = pool_sizes.iter().sum::<usize>() as f64 / pool_sizes.len() as f64;
    let matches = pairs.iter().filter(|p| p.is_match).count();
    println!(
        "matching corpus: {} pairs ({} match, {} non-match), {} records",
        pairs.len(),
        matches,
        pairs.len() - matches,
        records.len()
    );
    println!("pairwise precision of likely: {precision:.3} ({likely_true}/{likely}); likely recall {:.3}", ratio(matches_likely, matches));
    println!(
        "retrieval precision of likely: {retrieval_precision:.3} ({r_likely_true}/{r_likely})"
    );
    println!(
        "recall@5: {recall5:.3} ({found}/{wanted}); sharing a key: {:.3}",
        ratio(keyed, wanted)
    );
    println!(
        "candidate pool per query: mean {mean_pool:.1}, max {max_pool} of {}",
        records.len()
    );
    assert!(precision >= 0.9, "precision {precision}");
    assert!(
        retrieval_precision >= 0.9,
        "retrieval precision {retrieval_precision}"
    );
    assert!(recall5 >= 0.9, "recall@5 {recall5}");
}
