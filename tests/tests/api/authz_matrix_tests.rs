//! The authorization matrix (issue 10): every operation of the served OpenAPI document, played
//! by every actor and scope of `tests/data/authz-matrix.tsv` against one seeded server per
//! backend (fixtures in `madar_tests::authz`). Fails on an operation the table misses or names
//! wrongly, on any unexpected allow, and on any unexpected denial.
use madar_tests::authz::{self, World};
use madar_tests::*;

backend_tests! {
    fn authz_matrix_every_operation_actor_and_scope(backend) {
        let started = std::time::Instant::now();
        let app = TestApp::spawn(backend);
        let matrix = authz::matrix();
        let served = authz::served_operations(&app);
        let listed: std::collections::BTreeSet<String> =
            matrix.rows.iter().map(|(op, _)| op.clone()).collect();
        let missing: Vec<&String> = served.difference(&listed).collect();
        let unknown: Vec<&String> = listed.difference(&served).collect();
        let world = World::build(&app);
        let seeded = started.elapsed();
        let authz::Outcome { cells, failures, statuses } = authz::run(&app, &world, &matrix, &served);
        eprintln!(
            "authorization matrix on {backend:?}: {} operations x {} columns = {cells} cells, \
             {} failures (seeded in {seeded:?}, total {:?})",
            matrix.rows.len(),
            matrix.columns.len(),
            failures.len(),
            started.elapsed()
        );
        eprintln!("expected -> got: {statuses:?}");
        let mut problems = String::new();
        if !missing.is_empty() {
            problems.push_str(&format!(
                "operations the matrix does not cover (add rows to tests/data/authz-matrix.tsv):\n  {}\n",
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
            ));
        }
        if !unknown.is_empty() {
            problems.push_str(&format!(
                "operations of the matrix the server does not serve:\n  {}\n",
                unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
            ));
        }
        if !failures.is_empty() {
            problems.push_str(&format!("cells that went wrong:\n{}", authz::report(&failures)));
        }
        assert!(problems.is_empty(), "{problems}");
    }
}
