//! This machine's ceilings, measured in the same run: PostgreSQL single-row INSERT and
//! primary-key SELECT rates (pgbench, 32 clients, on a scratch database), SQLite durable
//! single-row transactions and primary-key selects (Madar's pragmas: WAL, synchronous=FULL),
//! and a bare actix-web endpoint driven by the same load generator as Madar.
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rand::Rng;

use crate::load::{self, Call, Measured};

pub const SCRATCH_DB: &str = "madar_bench_ceiling";
const ROWS: i64 = 100_000;

/// The same server URL, naming another database.
fn with_database(url: &str, database: &str) -> String {
    let (head, query) = url.split_once('?').map_or((url, ""), |(h, q)| (h, q));
    let base = head.rsplit_once('/').map_or(head, |(b, _)| b);
    if query.is_empty() {
        format!("{base}/{database}")
    } else {
        format!("{base}/{database}?{query}")
    }
}

/// Lets the disk catch up with what was just written (a dataset, a server's last checkpoint):
/// a ceiling measured behind a writeback backlog is the backlog's, not the machine's.
fn settle() {
    let _ = Command::new("sync").status();
}

/// (insert, select) measured with pgbench on a scratch database next to `url`'s.
pub fn postgres(
    url: &str,
    clients: usize,
    seconds: u64,
    work: &Path,
) -> anyhow::Result<(Measured, Measured)> {
    let mut admin = postgres::Client::connect(url, postgres::NoTls)?;
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"
    ))?;
    admin.batch_execute(&format!("CREATE DATABASE {SCRATCH_DB}"))?;
    let scratch = with_database(url, SCRATCH_DB);
    let mut db = postgres::Client::connect(&scratch, postgres::NoTls)?;
    db.batch_execute(&format!(
        "CREATE TABLE reads (id bigint PRIMARY KEY, payload text NOT NULL);
         INSERT INTO reads SELECT g, md5(g::text) FROM generate_series(1, {ROWS}) g;
         CREATE TABLE writes (id text PRIMARY KEY, payload text NOT NULL, at timestamp NOT NULL);"
    ))?;
    db.batch_execute("VACUUM ANALYZE reads")?;
    admin.batch_execute("CHECKPOINT")?;
    settle();
    std::fs::create_dir_all(work)?;
    let insert = work.join("insert.sql");
    std::fs::write(
        &insert,
        "INSERT INTO writes VALUES (gen_random_uuid()::text, 'a report of a child', now());\n",
    )?;
    let select = work.join("select.sql");
    std::fs::write(
        &select,
        format!("\\set id random(1, {ROWS})\nSELECT payload FROM reads WHERE id = :id;\n"),
    )?;
    let result = (
        pgbench(&scratch, &insert, clients, seconds, work)?,
        pgbench(&scratch, &select, clients, seconds, work)?,
    );
    drop(db);
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"
    ))?;
    Ok(result)
}

fn pgbench(
    url: &str,
    script: &Path,
    clients: usize,
    seconds: u64,
    work: &Path,
) -> anyhow::Result<Measured> {
    let prefix = work.join("pgbench_log");
    for entry in std::fs::read_dir(work)?.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("pgbench_log")
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    let out = Command::new("pgbench")
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
        ])
        .args(["-T", &seconds.to_string(), "-l", "--log-prefix"])
        .arg(&prefix)
        .arg("-f")
        .arg(script)
        .arg(url)
        .output()
        .context("running pgbench (apt-get install postgresql-client)")?;
    if !out.status.success() {
        bail!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failed: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("number of failed transactions: "))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    // Per-transaction log lines: client, transaction, latency (µs), script, epoch, µs.
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(work)?.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("pgbench_log")
        {
            for line in std::fs::read_to_string(entry.path())?.lines() {
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|v| v.parse::<u32>().ok())
                {
                    latencies.push(us);
                }
            }
        }
    }
    Ok(load::summarize(
        &mut latencies,
        failed,
        vec![],
        Duration::from_secs(seconds),
    ))
}

/// (insert, select) on a scratch SQLite file: one writer committing one row per transaction,
/// then one reader per core selecting by primary key.
pub fn sqlite(dir: &Path, seconds: u64) -> anyhow::Result<(Measured, Measured)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("ceiling.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let open = || -> anyhow::Result<rusqlite::Connection> {
        let c = rusqlite::Connection::open(&path)?;
        c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")?;
        Ok(c)
    };
    let mut c = open()?;
    c.execute_batch(
        "CREATE TABLE reads (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
         CREATE TABLE writes (id TEXT PRIMARY KEY, payload TEXT NOT NULL, at TEXT NOT NULL);",
    )?;
    let tx = c.transaction()?;
    for i in 1..=ROWS {
        tx.execute("INSERT INTO reads VALUES (?1, hex(randomblob(16)))", [i])?;
    }
    tx.commit()?;
    settle();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut writes = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        c.execute(
            "INSERT INTO writes VALUES (?1, 'a report of a child', datetime('now'))",
            [uuid::Uuid::new_v4().to_string()],
        )?;
        writes.push(started.elapsed().as_micros() as u32);
    }
    let insert = load::summarize(&mut writes, 0, vec![], Duration::from_secs(seconds));
    let readers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let until = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..readers)
        .map(|_| {
            let c = open();
            std::thread::spawn(move || -> anyhow::Result<Vec<u32>> {
                let c = c?;
                let mut statement = c.prepare("SELECT payload FROM reads WHERE id = ?1")?;
                let mut rng = rand::thread_rng();
                let mut mine = Vec::new();
                while Instant::now() < until {
                    let started = Instant::now();
                    let _: String = statement.query_row([rng.gen_range(1..=ROWS)], |r| r.get(0))?;
                    mine.push(started.elapsed().as_micros() as u32);
                }
                Ok(mine)
            })
        })
        .collect();
    let mut reads = Vec::new();
    for h in handles {
        reads.extend(h.join().map_err(|_| anyhow::anyhow!("reader panicked"))??);
    }
    let select = load::summarize(&mut reads, 0, vec![], Duration::from_secs(seconds));
    drop(c);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok((insert, select))
}

#[actix_web::get("/hello")]
async fn hello() -> &'static str {
    "hello"
}

/// A bare actix-web endpoint (one worker per core), driven like Madar at `concurrency`.
pub async fn actix(concurrency: usize, seconds: u64) -> anyhow::Result<Measured> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            let server = actix_web::HttpServer::new(|| actix_web::App::new().service(hello))
                .listen(listener)
                .map(|s| s.run());
            match server {
                Ok(server) => {
                    let _ = tx.send(Some(server.handle()));
                    let _ = server.await;
                }
                Err(_) => {
                    let _ = tx.send(None);
                }
            }
        });
    });
    let handle = rx
        .recv()?
        .context("starting the actix-web ceiling server")?;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/hello");
    let measured = load::run(
        concurrency,
        Duration::from_millis(500),
        Duration::from_secs(seconds),
        move |_| {
            Ok(Call {
                request: client.get(&url),
                label: "GET /hello".into(),
            })
        },
    )
    .await;
    handle.stop(false).await;
    Ok(measured)
}
