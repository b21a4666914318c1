//! The black-box test harness: starts the real `madar` binary on a free port with a fresh
//! database (SQLite file or PostgreSQL database), cloned from a migrated template, and talks to
//! it over HTTP.
//!
//! Templates (`empty`: migrated; `demo`: migrated and `madar seed --demo`) are made once per
//! binary build, under a file lock, so parallel test processes share them.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub mod authz;
pub mod cases;

pub use reqwest::blocking::{Client, Response};
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};

/// The password of every demo user (see `madar seed --demo`).
pub const DEMO_PASSWORD: &str = "madar-demo-2026";
pub const ADMIN: &str = "admin@demo.madar.ma";
pub const COORDINATOR: &str = "coordinator@demo.madar.ma";
pub const CASE_WORKER: &str = "caseworker@demo.madar.ma";
pub const PARTNER: &str = "partner@demo.madar.ma";
pub const HOTLINE: &str = "hotline@demo.madar.ma";
pub const ANALYST: &str = "analyst@demo.madar.ma";
pub const AUDITOR: &str = "auditor@demo.madar.ma";
/// Every demo user, with their role.
pub const DEMO_USERS: [(&str, &str); 7] = [
    (ADMIN, "admin"),
    (COORDINATOR, "coordinator"),
    (CASE_WORKER, "case_worker"),
    (PARTNER, "partner"),
    (HOTLINE, "hotline"),
    (ANALYST, "analyst"),
    (AUDITOR, "auditor"),
];

const PG_ADMIN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";
const PG_URL: &str = "postgres://postgres@127.0.0.1:5432";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What the fresh database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Migrated: reference data, no organization or user.
    Empty,
    /// Migrated and loaded with the demo (organizations in the pilot provinces, a user per role).
    Demo,
}

impl Fixture {
    fn name(self) -> &'static str {
        match self {
            Fixture::Empty => "empty",
            Fixture::Demo => "demo",
        }
    }
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The `madar` binary under test (`MADAR_BIN`, or the workspace's debug build).
pub fn binary() -> PathBuf {
    let path = std::env::var_os("MADAR_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/debug/madar"));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p madar-api` first (make test does)",
        path.display()
    );
    path
}

/// Runs `madar` with arguments and environment; returns (status ok, stdout, stderr).
pub fn madar(args: &[&str], env: &[(&str, String)], stdin: Option<&str>) -> (bool, String, String) {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MADAR_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn madar");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().expect("madar output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A key of this checkout, so suites of several checkouts (worktrees, a CI clone) sharing one
/// PostgreSQL server never drop each other's templates.
fn checkout_key() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    workspace().hash(&mut hasher);
    format!("{:08x}", hasher.finish() as u32)
}

/// A key that changes whenever the binary does, so templates follow migrations and seeds.
fn build_key() -> String {
    let meta = std::fs::metadata(binary()).expect("binary metadata");
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    format!(
        "{}_{:x}{:x}",
        checkout_key(),
        modified.as_nanos() % 0xffff_ffff_ffff,
        meta.len()
    )
}

fn templates_dir() -> PathBuf {
    let dir = workspace().join("target/test-templates");
    std::fs::create_dir_all(&dir).expect("templates dir");
    dir
}

/// Runs `make` under an exclusive lock unless `done` already exists.
fn once(marker: &Path, make: impl FnOnce()) {
    if marker.exists() {
        return;
    }
    let lock = std::fs::File::create(templates_dir().join("lock")).expect("lock file");
    lock.lock().expect("lock templates");
    if !marker.exists() {
        make();
        std::fs::write(marker, b"ok").expect("marker");
    }
    let _ = lock.unlock();
}

fn sqlite_template(fixture: Fixture) -> PathBuf {
    let key = build_key();
    let dir = templates_dir().join(format!("sqlite-{key}"));
    let file = dir.join(format!("{}.db", fixture.name()));
    once(&dir.join(format!("{}.ok", fixture.name())), || {
        // Templates of earlier builds are of no use any more.
        if let Ok(entries) = std::fs::read_dir(templates_dir()) {
            for entry in entries.flatten() {
                let stale = entry.file_name().to_string_lossy().starts_with("sqlite-")
                    && entry.path() != dir;
                if stale {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        std::fs::create_dir_all(&dir).expect("template dir");
        let _ = std::fs::remove_file(&file);
        let env = [
            ("DATABASE_URL", format!("sqlite://{}", file.display())),
            ("MADAR_DATA_DIR", dir.display().to_string()),
        ];
        let (ok, _, err) = madar(&["migrate"], &env, None);
        assert!(ok, "migrate failed: {err}");
        if fixture == Fixture::Demo {
            let (ok, _, err) = madar(&["seed", "--demo"], &env, None);
            assert!(ok, "seed failed: {err}");
        }
    });
    file
}

fn pg_admin() -> postgres::Client {
    postgres::Client::connect(PG_ADMIN, postgres::NoTls)
        .expect("PostgreSQL at 127.0.0.1:5432 (user postgres)")
}

fn pg_template(fixture: Fixture) -> String {
    let name = format!("madar_tpl_{}_{}", build_key(), fixture.name());
    let marker = templates_dir().join(format!("{name}.ok"));
    // A template dropped by hand (or by an older suite) is rebuilt: trust the marker only while
    // the database is there.
    if marker.exists() && !pg_database_exists(&name) {
        let _ = std::fs::remove_file(&marker);
    }
    once(&marker, || {
        let mut admin = pg_admin();
        drop_stale_templates(&mut admin);
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop template");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create template");
        let env = [("DATABASE_URL", format!("{PG_URL}/{name}"))];
        let (ok, _, err) = madar(&["migrate"], &env, None);
        assert!(ok, "migrate failed: {err}");
        if fixture == Fixture::Demo {
            let (ok, _, err) = madar(&["seed", "--demo"], &env, None);
            assert!(ok, "seed failed: {err}");
        }
    });
    name
}

fn pg_database_exists(name: &str) -> bool {
    pg_admin()
        .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .map(|rows| !rows.is_empty())
        .unwrap_or(false)
}

/// Drops this checkout's templates of earlier builds, so they do not pile up on the server. One
/// still in use (another suite running) refuses to drop, and is left alone.
fn drop_stale_templates(admin: &mut postgres::Client) {
    let current = format!("madar_tpl_{}_", build_key());
    let ours = format!("madar_tpl_{}_", checkout_key());
    let names: Vec<String> = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'madar\\_tpl\\_%'",
            &[],
        )
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default();
    let stale = names
        .iter()
        .filter(|n| n.starts_with(&ours) && !n.starts_with(&current));
    for stale in stale {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{stale}\""));
    }
    if let Ok(entries) = std::fs::read_dir(templates_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("madar_tpl_") && !name.starts_with(&current) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A fresh database for one test, removed when dropped.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend, fixture: Fixture) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let file = dir.path().join("madar.db");
                std::fs::copy(sqlite_template(fixture), &file).expect("copy template");
                TestDb {
                    url: format!("sqlite://{}", file.display()),
                    backend,
                    _dir: dir,
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let template = pg_template(fixture);
                let name = format!("madar_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = pg_admin();
                // Creating from a template fails while another session is connected to it:
                // retry briefly (another test may be creating from it too).
                let started = Instant::now();
                loop {
                    match admin
                        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    {
                        Ok(()) => break,
                        Err(e) if started.elapsed() < Duration::from_secs(20) => {
                            let _ = e;
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        Err(e) => panic!("create test database: {e}"),
                    }
                }
                TestDb {
                    url: format!("{PG_URL}/{name}"),
                    backend,
                    _dir: dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn data_dir(&self) -> &Path {
        self._dir.path()
    }

    /// A database someone else made and removes (a private PostgreSQL cluster's).
    pub fn at(url: String, backend: Backend) -> TestDb {
        TestDb {
            url,
            backend,
            _dir: tempfile::tempdir().expect("temp dir"),
            pg_name: None,
        }
    }

    /// A SQLite database of `fixture` at `file` (for a test that needs it on a given file
    /// system); the data folder stays in a temporary directory.
    pub fn sqlite_at(file: &Path, fixture: Fixture) -> TestDb {
        std::fs::copy(sqlite_template(fixture), file).expect("copy template");
        TestDb {
            url: format!("sqlite://{}", file.display()),
            backend: Backend::Sqlite,
            _dir: tempfile::tempdir().expect("temp dir"),
            pg_name: None,
        }
    }

    /// Runs one statement on the database directly, behind the server's back (a test that
    /// damages derived data to show what reads it).
    pub fn execute(&self, statement: &str) {
        match self.backend {
            Backend::Postgres => {
                let mut client = postgres::Client::connect(&self.url, postgres::NoTls)
                    .expect("connect to the test database");
                client.batch_execute(statement).expect("statement");
            }
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").expect("a sqlite URL");
                let conn = rusqlite::Connection::open(path).expect("open");
                conn.busy_timeout(Duration::from_secs(10))
                    .expect("busy timeout");
                conn.execute_batch(statement).expect("statement");
            }
        }
    }

    /// The first column of every row of `query` (text), read directly from the database: what
    /// is stored, as opposed to what the API shows.
    pub fn strings(&self, query: &str) -> Vec<String> {
        match self.backend {
            Backend::Postgres => {
                let mut client = postgres::Client::connect(&self.url, postgres::NoTls)
                    .expect("connect to the test database");
                let rows = client.query(query, &[]).expect("query");
                rows.iter().map(|r| r.get::<_, String>(0)).collect()
            }
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").expect("a sqlite URL");
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )
                .expect("open");
                let mut statement = conn.prepare(query).expect("prepare");
                let rows = statement
                    .query_map([], |r| r.get::<_, String>(0))
                    .expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) = postgres::Client::connect(PG_ADMIN, postgres::NoTls) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Starts `madar serve` on a database; answers the process, its base URL and its log lines.
fn launch(db: &TestDb, env: &[(String, String)]) -> (Child, String, Arc<Mutex<Vec<String>>>) {
    let mut cmd = Command::new(binary());
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("MADAR_BIND", "127.0.0.1:0")
        .env("MADAR_DATA_DIR", db.data_dir())
        .env("MADAR_LOG_FORMAT", "json")
        .env("MADAR_LOG", "info")
        .env("MADAR_DB_POOL_SIZE", "4")
        .env("MADAR_CLIENT_DIR", workspace().join("client/dist"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn madar serve");
    let stderr = child.stderr.take().expect("stderr");
    let logs = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if let Some(address) = v["fields"]["address"].as_str() {
                    let _ = tx.send(address.to_string());
                }
            }
            sink.lock().map(|mut l| l.push(line)).ok();
        }
    });
    let address = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(a) => a,
        Err(_) => {
            let _ = child.kill();
            panic!(
                "madar did not start: {:?}",
                logs.lock().map(|l| l.join("\n")).unwrap_or_default()
            );
        }
    };
    (child, format!("http://{address}"), logs)
}

/// A running `madar serve`.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: TestDb,
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
    env: Vec<(String, String)>,
}

pub struct Builder {
    backend: Backend,
    fixture: Fixture,
    env: Vec<(String, String)>,
}

impl Builder {
    pub fn empty(mut self) -> Builder {
        self.fixture = Fixture::Empty;
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Builder {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn spawn(self) -> TestApp {
        let db = TestDb::new(self.backend, self.fixture);
        TestApp::start(db, &self.env)
    }
}

impl TestApp {
    /// A server on the demo fixture.
    pub fn spawn(backend: Backend) -> TestApp {
        TestApp::builder(backend).spawn()
    }

    pub fn builder(backend: Backend) -> Builder {
        Builder {
            backend,
            fixture: Fixture::Demo,
            env: Vec::new(),
        }
    }

    /// Starts a server on an existing database.
    pub fn start(db: TestDb, env: &[(String, String)]) -> TestApp {
        let (child, base, logs) = launch(&db, env);
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        TestApp {
            base,
            client,
            db,
            child,
            logs,
            env: env.to_vec(),
        }
    }

    /// A second `madar serve` beside this one, on the same database, with the same environment
    /// and data folder (so the same generated data and audit keys): two processes of one
    /// deployment behind a load balancer. It does not own the database, which goes when `self`
    /// is dropped: drop the second first (declare it after).
    pub fn another_process(&self) -> TestApp {
        self.another_process_with(&[])
    }

    /// `another_process` with more environment (`extra` wins over the first's).
    pub fn another_process_with(&self, extra: &[(&str, &str)]) -> TestApp {
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env.push((
            "MADAR_DATA_DIR".into(),
            self.db.data_dir().display().to_string(),
        ));
        TestApp::start(TestDb::at(self.db.url.clone(), self.db.backend), &env)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server with SIGKILL (no shutdown of any kind: the power cut of a crash test)
    /// and starts a new one on the same database and data directory.
    pub fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base, logs) = launch(&self.db, &self.env);
        self.child = child;
        self.base = base;
        self.logs = logs;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Everything the server has logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send(Method::GET, path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(Method::POST, path, token, Some(body))
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send(Method::DELETE, path, token, None)
    }

    /// PATCH with `If-Match`.
    pub fn patch(&self, path: &str, token: Option<&str>, etag: &str, body: &Value) -> Response {
        let mut req = self
            .client
            .patch(self.url(path))
            .header("if-match", etag)
            .json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().expect("request")
    }

    /// PUT with `If-Match`.
    pub fn put_if_match(&self, path: &str, token: &str, etag: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .header("if-match", etag)
            .bearer_auth(token)
            .json(body)
            .send()
            .expect("request")
    }

    pub fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().expect("request")
    }

    /// Logs in and returns the whole response body.
    pub fn login_body(&self, email: &str, password: &str) -> Value {
        let res = self.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": password}),
        );
        assert_eq!(res.status(), 200, "login of {email}");
        res.json().expect("login body")
    }

    /// An access token for a demo user.
    pub fn token(&self, email: &str) -> String {
        self.login_body(email, DEMO_PASSWORD)["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// Moves the server's clock forward (development mode only).
    pub fn advance_clock(&self, seconds: i64) {
        let res = self.post("/api/v1/dev/clock", None, &json!({"seconds": seconds}));
        assert_eq!(res.status(), 200, "advance clock");
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts a problem response: status, content type, code; returns the body.
pub fn assert_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body: Value = res.json().expect("problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    assert_eq!(
        body["request_id"].as_str().map(str::to_string),
        request_id,
        "request id in the problem"
    );
    body
}

/// Declares each test once per backend: `mod sqlite { fn name() }` and `mod postgres { ... }`.
#[macro_export]
macro_rules! backend_tests {
    ($(fn $name:ident($backend:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(#[test] fn $name() { let $backend = $crate::Backend::Sqlite; $body })*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(#[test] fn $name() { let $backend = $crate::Backend::Postgres; $body })*
        }
    };
}
