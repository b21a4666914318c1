//! `madar serve` on a dataset: started on a free loopback port with the benchmark's keys,
//! waited for (`/readyz`), watched (peak RSS from /proc) and stopped.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How long a graceful stop may take (the audit worker seals what is pending).
const STOP_WAIT: Duration = Duration::from_secs(180);

pub struct Server {
    child: Option<Child>,
    pid: u32,
    pub base_url: String,
    pub log: PathBuf,
}

/// A port nothing listens on now.
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    /// Starts `madar serve` on `database_url`, logging to `log`. The keys (`MADAR_JWT_SECRET`,
    /// `MADAR_DATA_KEY`, `MADAR_AUDIT_KEY`) come from this process's environment: the same the
    /// dataset was generated with.
    pub async fn start(
        madar: &Path,
        database_url: &str,
        data_dir: &Path,
        log: PathBuf,
    ) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log_file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let production = ["MADAR_JWT_SECRET", "MADAR_DATA_KEY", "MADAR_AUDIT_KEY"]
            .iter()
            .all(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
        let child = Command::new(madar)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MADAR_BIND", format!("127.0.0.1:{port}"))
            .env("MADAR_DATA_DIR", data_dir)
            .env(
                "MADAR_ENV",
                if production {
                    "production"
                } else {
                    "development"
                },
            )
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("starting {}", madar.display()))?;
        let pid = child.id();
        let mut server = Server {
            child: Some(child),
            pid,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    /// A server started elsewhere (its pid, if known, for the peak RSS).
    pub fn external(base_url: &str, pid: Option<u32>) -> Server {
        Server {
            child: None,
            pid: pid.unwrap_or(0),
            base_url: base_url.trim_end_matches('/').to_string(),
            log: PathBuf::new(),
        }
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "madar exited ({status}) before it was ready: see {}",
                        self.log.display()
                    );
                }
            }
            let ready = client
                .get(format!("{}/readyz", self.base_url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "madar was not ready within 120 s: see {}",
            self.log.display()
        )
    }

    /// The server's peak resident set so far, in MiB (VmHWM), if it is known.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        proc_kib(self.pid, "VmHWM:").map(|kib| kib as f64 / 1024.0)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets it flush its audit buffer and seal the chain; kill it if it lingers.
            let started = Instant::now();
            let _ = Command::new("kill").arg(self.pid.to_string()).status();
            while started.elapsed() < STOP_WAIT {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    let took = started.elapsed().as_secs_f64();
                    if took > 2.0 {
                        eprintln!("  madar took {took:.1} s to stop (audit flush and seal)");
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!(
                "  madar did not stop within {} s: killed",
                STOP_WAIT.as_secs()
            );
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    if pid == 0 {
        return None;
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
