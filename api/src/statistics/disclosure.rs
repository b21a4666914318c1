//! Disclosure control (pure): a count between 1 and k−1 is suppressed (primary), and more
//! cells are suppressed so that none can be recovered from the totals of its rows (secondary).
//!
//! A table is a set of cells keyed by one code per dimension. Every "line" of the table (the
//! cells that share all their codes but one) sums to a total a caller can ask for with one
//! dimension less, so a line must never hold exactly one suppressed cell: when it does, its
//! smallest shown cell is suppressed too (a non-zero one first), and the lines are checked
//! again until none does.
use std::collections::HashMap;

/// Which cells to suppress, for `counts` keyed by `keys` (each with the same number of codes)
/// under the threshold `k`.
pub fn suppress(keys: &[Vec<String>], counts: &[i64], k: i64) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&c| c >= 1 && c < k).collect();
    if !hidden.iter().any(|&h| h) {
        return hidden;
    }
    let dims = keys.first().map_or(0, Vec::len);
    loop {
        let mut changed = false;
        for d in 0..dims {
            let mut lines: HashMap<Vec<&str>, Vec<usize>> = HashMap::new();
            for (i, key) in keys.iter().enumerate() {
                let rest: Vec<&str> = key
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != d)
                    .map(|(_, s)| s.as_str())
                    .collect();
                lines.entry(rest).or_default().push(i);
            }
            let mut lines: Vec<Vec<usize>> = lines.into_values().collect();
            lines.sort();
            for line in lines {
                if line.iter().filter(|&&i| hidden[i]).count() != 1 {
                    continue;
                }
                let pick = line
                    .iter()
                    .copied()
                    .filter(|&i| !hidden[i])
                    .min_by_key(|&i| (counts[i] == 0, counts[i], i));
                if let Some(i) = pick {
                    hidden[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn nothing_small_nothing_hidden() {
        let k = keys(&[&["female"], &["male"]]);
        assert_eq!(suppress(&k, &[5, 9], 5), vec![false, false]);
        // Zero is no disclosure risk.
        assert_eq!(suppress(&k, &[0, 9], 5), vec![false, false]);
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        let k = keys(&[&["female"], &["male"], &["unknown"]]);
        assert_eq!(suppress(&k, &[3, 20, 7], 5), vec![true, false, true]);
        // Two small cells protect each other.
        assert_eq!(suppress(&k, &[3, 20, 2], 5), vec![true, false, true]);
        // A single-cell table: primary only.
        assert_eq!(suppress(&keys(&[&[]]), &[3], 5), vec![true]);
    }

    #[test]
    fn non_zero_cells_are_preferred_as_complements() {
        let k = keys(&[&["a"], &["b"], &["c"]]);
        assert_eq!(suppress(&k, &[2, 0, 9], 5), vec![true, false, true]);
    }

    #[test]
    fn secondary_suppression_propagates_across_rows_and_columns() {
        // 2×2 table: one small cell forces a whole rectangle.
        let k = keys(&[&["f", "x"], &["f", "y"], &["m", "x"], &["m", "y"]]);
        let hidden = suppress(&k, &[2, 10, 12, 30], 5);
        assert_eq!(hidden, vec![true, true, true, true]);
        // Every row and column holds zero or at least two hidden cells.
        let k = keys(&[
            &["f", "x"],
            &["f", "y"],
            &["f", "z"],
            &["m", "x"],
            &["m", "y"],
            &["m", "z"],
        ]);
        let counts = [1, 8, 9, 15, 6, 20];
        let hidden = suppress(&k, &counts, 5);
        for d in 0..2 {
            let mut lines: HashMap<String, usize> = HashMap::new();
            for (i, key) in k.iter().enumerate() {
                if hidden[i] {
                    *lines.entry(key[1 - d].clone()).or_default() += 1;
                }
            }
            assert!(lines.values().all(|&n| n != 1), "{hidden:?}");
        }
        assert!(hidden[0]);
    }
}
