//! When the database cannot take writes: a SQLite file on a full disk answers 503 problems with
//! `Retry-After` (never a crash, never a 500), keeps serving reads, and keeps every write it
//! acknowledged.
use std::path::PathBuf;
use std::process::Command;

use madar_tests::cases::*;
use madar_tests::*;

/// A small tmpfs mounted for the test's lifetime (unmounted when dropped).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` when this machine does not let the test mount a file system (not root).
    fn mount(kilobytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kilobytes}k"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_sqlite_disk_answers_503_with_retry_after_and_keeps_what_it_acknowledged() {
    let Some(disk) = SmallDisk::mount(2_500) else {
        // CI runs as root on this machine; a developer without root sees why it did not run.
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    let db = TestDb::sqlite_at(&disk.path("madar.db"), Fixture::Demo);
    let mut app = TestApp::start(db, &[]);
    let hotline = app.token(HOTLINE);
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for i in 0..2_000 {
        let mut body = report_body("Full", "Disk", "421", false);
        body["external_ref"] = json!(format!("full-{i}"));
        body["narrative"] = json!("x".repeat(4_000));
        let res = app.post_with_key("/api/v1/reports", &hotline, &format!("full-{i}"), &body);
        match res.status().as_u16() {
            201 => acknowledged.push(id_of(&res.json::<Value>().expect("report"))),
            503 => {
                assert!(
                    res.headers().contains_key("retry-after"),
                    "503 with Retry-After"
                );
                let problem: Value = res.json().expect("a problem");
                assert_eq!(problem["code"], "service_unavailable");
                refused += 1;
                if refused == 5 {
                    break;
                }
            }
            other => panic!("report {i}: {other} {}", res.text().unwrap_or_default()),
        }
    }
    assert!(
        refused == 5,
        "the disk filled up ({} reports acknowledged)",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty());
    // Alive, and every acknowledged report is there.
    assert_eq!(app.get("/healthz", None).status(), 200);
    for id in &acknowledged {
        let res = app.get(&format!("/api/v1/reports/{id}"), Some(&hotline));
        assert_eq!(res.status(), 200, "report {id} kept");
    }
    assert!(app.terminate().is_some(), "the server stops cleanly");
    eprintln!(
        "{} reports acknowledged before the disk filled; then 503",
        acknowledged.len()
    );
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of the test's own (never the shared server), in a temporary folder,
/// on a free port; run as the `postgres` user. Stopped and removed when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn pg(&self, tool: &str, args: &[&str]) -> bool {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{PG_BIN}/{tool}"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `None` when this machine cannot run a private cluster (not root, no PostgreSQL 15).
    fn create() -> Option<Cluster> {
        let dir = tempfile::tempdir().ok()?;
        let owned = Command::new("chown")
            .args(["postgres:"])
            .arg(dir.path())
            .status();
        if !owned.is_ok_and(|s| s.success()) {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let cluster = Cluster { dir, port };
        let data = cluster.data();
        let made = cluster.pg(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        (made && cluster.start()).then_some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn start(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-w",
                "-l",
                &log,
                "-o",
                &options,
                "start",
            ],
        )
    }

    fn stop(&self) -> bool {
        self.pg("pg_ctl", &["-D", &self.data(), "-w", "-m", "fast", "stop"])
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg(
            "pg_ctl",
            &["-D", &self.data(), "-w", "-m", "immediate", "stop"],
        );
    }
}

#[test]
fn postgres_stopped_under_load_gives_503_and_service_recovers_by_itself() {
    let Some(cluster) = Cluster::create() else {
        eprintln!(
            "SKIPPED: cannot run a private PostgreSQL cluster here (needs root and PostgreSQL 15)"
        );
        return;
    };
    let mut admin = ::postgres::Client::connect(&cluster.url("postgres"), ::postgres::NoTls)
        .expect("the private cluster answers");
    admin
        .batch_execute("CREATE DATABASE madar")
        .expect("create database");
    let env = [("DATABASE_URL", cluster.url("madar"))];
    for step in [&["migrate"][..], &["seed", "--demo"]] {
        let (ok, _, err) = madar(step, &env, None);
        assert!(ok, "{step:?}: {err}");
    }
    let app = TestApp::start(TestDb::at(cluster.url("madar"), Backend::Postgres), &[]);
    let hotline = app.token(HOTLINE);
    let send = |i: usize| {
        let mut body = report_body("Outage", "Pg", "421", false);
        body["external_ref"] = json!(format!("outage-{i}"));
        let started = std::time::Instant::now();
        let res = app
            .client
            .post(app.url("/api/v1/reports"))
            .bearer_auth(&hotline)
            .header("idempotency-key", format!("outage-{i}"))
            .json(&body)
            .timeout(std::time::Duration::from_secs(15))
            .send()
            .expect("an answer, not a hang");
        (res, started.elapsed())
    };
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let (res, _) = send(i);
        assert_eq!(res.status(), 201);
        acknowledged.push(id_of(&res.json::<Value>().expect("report")));
    }

    assert!(cluster.stop(), "the private cluster stops");
    let mut refused = 0;
    for i in 20..30 {
        let (res, took) = send(i);
        match res.status().as_u16() {
            503 => {
                assert!(res.headers().contains_key("retry-after"), "Retry-After");
                assert!(
                    took < std::time::Duration::from_secs(10),
                    "answered in {took:?}"
                );
                refused += 1;
            }
            other => panic!(
                "with the database down: {other} {}",
                res.text().unwrap_or_default()
            ),
        }
    }
    assert_eq!(refused, 10);
    assert_eq!(
        app.get("/readyz", None).status(),
        503,
        "not ready without its database"
    );
    assert_eq!(app.get("/healthz", None).status(), 200, "the process is up");

    assert!(cluster.start(), "the private cluster starts again");
    let back = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(200));
        app.get("/readyz", None).status() == 200
    });
    assert!(back, "ready again by itself");
    // The requests refused during the outage succeed when retried with their keys.
    for i in 20..30 {
        let (res, _) = send(i);
        assert_eq!(res.status(), 201, "retry {i} after the outage");
        acknowledged.push(id_of(&res.json::<Value>().expect("report")));
    }
    for id in &acknowledged {
        assert_eq!(
            app.get(&format!("/api/v1/reports/{id}"), Some(&hotline))
                .status(),
            200,
            "{id} kept"
        );
    }
}
