//! `madar-bench`: runs Madar's benchmark scenarios against `madar serve` on each dataset given
//! (PostgreSQL and/or SQLite), measures this machine's ceilings in the same run, prints one
//! table and writes it as JSON. See bench/README.md; `make bench`, `bench-quick`, `bench-smoke`.
mod ceilings;
mod intake;
mod load;
mod names;
mod report;
mod sample;
mod scenarios;
mod server;
mod tokens;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;

use report::Row;
use scenarios::{Ctx, Scenario};
use server::Server;

#[derive(Parser)]
#[command(
    name = "madar-bench",
    about = "Madar's benchmark driver",
    args_override_self = true
)]
struct Cli {
    /// The madar binary to start on each dataset.
    #[arg(long, default_value = "target/release/madar")]
    madar: PathBuf,
    /// A PostgreSQL database holding a dataset (postgres://...).
    #[arg(long)]
    postgres: Option<String>,
    /// A SQLite database file holding a dataset.
    #[arg(long)]
    sqlite: Option<String>,
    /// Drive a server that is already running (one backend) instead of starting madar.
    #[arg(long)]
    base_url: Option<String>,
    /// That server's process id, for its peak RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds each scenario runs (after a warm-up of a fifth of it, at most 2 s).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds the mixed scenario runs.
    #[arg(long, default_value_t = 60.0)]
    mixed_duration: f64,
    /// Concurrent virtual users.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Scenarios to run, comma-separated.
    #[arg(
        long,
        default_value = "intake,case-read,work-list,child-match,provincial-report,dashboard,mixed"
    )]
    scenarios: String,
    /// Seconds each ceiling runs; 0 skips the ceilings.
    #[arg(long, default_value_t = 10)]
    ceiling_seconds: u64,
    /// How many cases and children to sample from the dataset.
    #[arg(long, default_value_t = 20_000)]
    sample: usize,
    /// What the dataset is, for the record (such as "1000000 children").
    #[arg(long, default_value = "")]
    dataset: String,
    /// Where the JSON goes (default bench/results/<date>-<commit>.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Scratch space: server logs, pgbench logs, the SQLite ceiling file.
    #[arg(long, default_value = "bench/data/work")]
    work: PathBuf,
    /// Fail (exit 1) if any request failed or a scenario sent none (the CI smoke run).
    #[arg(long)]
    assert_zero_errors: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let secret = std::env::var("MADAR_JWT_SECRET")
        .context("set MADAR_JWT_SECRET (the server's token secret, 32+ characters)")?;
    let minter = tokens::Minter::new(&secret);
    let chosen = cli
        .scenarios
        .split(',')
        .map(|s| Scenario::parse(s.trim()).with_context(|| format!("unknown scenario {s:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut backends = Vec::new();
    if let Some(url) = &cli.postgres {
        backends.push(("postgres", url.clone()));
    }
    if let Some(path) = &cli.sqlite {
        let path = path.strip_prefix("sqlite://").unwrap_or(path);
        backends.push(("sqlite", format!("sqlite://{path}")));
    }
    if backends.is_empty() {
        bail!("give --postgres URL and/or --sqlite FILE");
    }
    std::fs::create_dir_all(&cli.work)?;
    let mut rows = Vec::new();
    for (backend, url) in &backends {
        let sample = {
            let url = url.clone();
            let size = cli.sample;
            tokio::task::spawn_blocking(move || sample::read(&url, size)).await??
        };
        eprintln!(
            "{backend}: sampled {} case reads, {} child reads, {} case workers, {} children",
            sample.case_reads.len(),
            sample.child_reads.len(),
            sample.case_workers.len(),
            sample.children.len()
        );
        let mut server = match &cli.base_url {
            Some(base) => Server::external(base, cli.server_pid),
            None => {
                let data_dir = cli.work.join(format!("{backend}-data"));
                let log = cli.work.join(format!("madar-{backend}.log"));
                Server::start(&cli.madar, url, &data_dir, log).await?
            }
        };
        // madar (actix-web) closes a keep-alive connection idle for 5 s; a request sent on one
        // at that moment fails on the wire ("error sending request"), a race of the transport
        // and not an answer of Madar (it failed a CI smoke run once). Idle connections are
        // dropped sooner on this side.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(cli.concurrency * 2)
            .pool_idle_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .build()?;
        let sample = Arc::new(sample);
        for &scenario in &chosen {
            let ctx = Ctx::new(client.clone(), &server.base_url, sample.clone(), &minter)?;
            if let Some(why) = ctx.missing(scenario) {
                let mut row = Row::new(scenario.name(), backend, Default::default());
                row.skipped = Some(why.into());
                rows.push(row);
                continue;
            }
            let seconds = if scenario == Scenario::Mixed {
                cli.mixed_duration
            } else {
                cli.duration
            };
            let duration = Duration::from_secs_f64(seconds);
            let warmup = (duration / 5).min(Duration::from_secs(2));
            let ctx = Arc::new(ctx);
            let concurrency = scenario.concurrency(cli.concurrency);
            eprintln!(
                "{backend}: {} for {seconds} s at {concurrency} concurrent",
                scenario.name()
            );
            let measured =
                load::run(concurrency, warmup, duration, move |_| ctx.call(scenario)).await;
            for e in &measured.first_errors {
                eprintln!("  error: {e}");
            }
            let mut row = Row::new(scenario.name(), backend, measured);
            row.peak_rss_mib = server.peak_rss_mib();
            rows.push(row);
        }
        server.stop();
        if cli.ceiling_seconds > 0 {
            let work = cli.work.clone();
            let (s, c, url) = (cli.ceiling_seconds, cli.concurrency, url.clone());
            let measured = if *backend == "postgres" {
                eprintln!("postgres: ceilings (pgbench, {c} clients, {s} s each)");
                tokio::task::spawn_blocking(move || {
                    ceilings::postgres(&url, c, s, &work.join("pgbench"))
                })
                .await?
            } else {
                eprintln!("sqlite: ceilings (WAL, synchronous=FULL, {s} s each)");
                tokio::task::spawn_blocking(move || {
                    ceilings::sqlite(&work.join("sqlite-ceiling"), s)
                })
                .await?
            };
            match measured {
                Ok((insert, select)) => {
                    rows.push(Row::new("ceiling:insert", backend, insert));
                    rows.push(Row::new("ceiling:select", backend, select));
                }
                Err(e) => {
                    eprintln!("{backend}: ceilings not measured: {e:#}");
                    let mut row = Row::new("ceiling:insert", backend, Default::default());
                    row.skipped = Some(format!("{e:#}"));
                    rows.push(row);
                }
            }
        }
    }
    if cli.ceiling_seconds > 0 {
        eprintln!("actix-web hello: ceiling");
        match ceilings::actix(cli.concurrency, cli.ceiling_seconds).await {
            Ok(hello) => rows.push(Row::new("ceiling:http", "actix-web", hello)),
            Err(e) => eprintln!("actix-web: ceiling not measured: {e:#}"),
        }
    }
    report::complete(&mut rows);
    println!("{}", report::table(&rows));
    let out = match &cli.out {
        Some(out) => out.clone(),
        None => {
            // <date>-<commit>.json; a second run that day on that commit gets -2, -3...
            let stem = format!(
                "bench/results/{}-{}",
                chrono::Utc::now().format("%Y-%m-%d"),
                commit()
            );
            (1..)
                .map(|n| match n {
                    1 => PathBuf::from(format!("{stem}.json")),
                    n => PathBuf::from(format!("{stem}-{n}.json")),
                })
                .find(|p| !p.exists())
                .unwrap_or_else(|| PathBuf::from(format!("{stem}.json")))
        }
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "commit": commit(),
        "dataset": cli.dataset,
        "machine": report::machine(),
        "settings": {"duration_s": cli.duration, "mixed_duration_s": cli.mixed_duration,
                     "concurrency": cli.concurrency, "ceiling_seconds": cli.ceiling_seconds},
        "rows": rows,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&json)? + "\n")?;
    eprintln!("written to {}", out.display());
    if cli.assert_zero_errors {
        let bad: Vec<String> = rows
            .iter()
            .filter(|r| !r.scenario.starts_with("ceiling"))
            .filter(|r| r.skipped.is_some() || r.measured.errors > 0 || r.measured.requests == 0)
            .map(|r| match &r.skipped {
                Some(why) => format!("{} on {} skipped: {why}", r.scenario, r.backend),
                None => format!(
                    "{} on {}: {} errors of {}",
                    r.scenario, r.backend, r.measured.errors, r.measured.requests
                ),
            })
            .collect();
        if !bad.is_empty() {
            bail!("benchmark smoke failed: {}", bad.join("; "));
        }
    }
    Ok(())
}

/// The short commit of the working tree (`unknown` outside git).
fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
