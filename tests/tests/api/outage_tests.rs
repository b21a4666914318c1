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
