//! End-to-end: the built web client (client/dist) and a real `madar` on SQLite with the demo
//! data, in Debian's headless Chromium driven by playwright-core (tests/e2e/*.test.mjs, run with
//! `node --test`). `make test` builds the client and installs Chromium and the npm package
//! first. Screenshots of each step land in target/e2e/<test>/.
use std::process::Command;

use madar_tests::*;

/// Runs `tests/e2e/<name>.test.mjs` against a fresh demo server; fails with its output.
fn run(name: &str) {
    let root = workspace();
    assert!(
        root.join("client/dist/index.html").exists(),
        "the web client is not built: run `make client` (make test does)"
    );
    assert!(
        root.join("tests/e2e/node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `make e2e-setup` (make test does)"
    );
    // Webhooks may point at 127.0.0.1 (the webhooks test registers one there).
    let app = TestApp::builder(Backend::Sqlite)
        .env("MADAR_WEBHOOK_ALLOW_PRIVATE", "1")
        .spawn();
    let shots = root.join("target/e2e").join(name);
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(format!("{name}.test.mjs"))
        .current_dir(root.join("tests/e2e"))
        .env("MADAR_URL", &app.base)
        .env("E2E_SHOTS", &shots)
        .output()
        .expect("node runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = app.logs();
    let tail: Vec<&str> = logs.lines().rev().take(40).collect();
    assert!(
        out.status.success(),
        "e2e {name} failed:\n{text}\nlast server log lines:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}

macro_rules! e2e {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name));
            }
        )*
    };
}

mod e2e {
    use super::run;
    e2e!(
        budget, login, case, new_report, reports, referrals, statistics, approvals, plans, hostile,
        glass, admin, merge, protocols, alerts, webhooks, programme
    );
}
