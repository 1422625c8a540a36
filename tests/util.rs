//! A small test builder (after just's `Test`): a temporary directory, the `xuncha` binary
//! run in the repository root with `--db` pointing into that directory.

use std::path::PathBuf;
use std::process::Output;

pub struct Xuncha {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Xuncha {
    pub fn new() -> Xuncha {
        Xuncha { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("x.db")
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out: Output = assert_cmd::Command::cargo_bin("xuncha")
            .expect("binary")
            .current_dir(root())
            .env_remove("XUNCHA_DB")
            .env_remove("XUNCHA_RULES")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .expect("run xuncha");
        Run::from(out)
    }

    /// Generates `n` cases with `xuncha gen` into the temp dir.
    pub fn gen(&self, n: u64, seed: u64, error_rate: f64) -> (PathBuf, PathBuf) {
        let out = self.path(&format!("gen-{n}-{seed}.ndjson"));
        let truth = self.path(&format!("truth-{n}-{seed}.ndjson"));
        let r = self.run([
            "gen",
            "--cases",
            &n.to_string(),
            "--seed",
            &seed.to_string(),
            "--error-rate",
            &error_rate.to_string(),
            "--out",
            out.to_str().unwrap_or_default(),
            "--truth",
            truth.to_str().unwrap_or_default(),
        ]);
        assert_eq!(r.code, 0, "gen failed: {}", r.stderr);
        (out, truth)
    }

    pub fn sql(&self, query: &str) -> Vec<Vec<String>> {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        let mut stmt = conn.prepare(query).expect("prepare");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        let v: rusqlite::types::Value = r.get(i)?;
                        Ok(match v {
                            rusqlite::types::Value::Null => "NULL".to_owned(),
                            rusqlite::types::Value::Integer(i) => i.to_string(),
                            rusqlite::types::Value::Real(f) => f.to_string(),
                            rusqlite::types::Value::Text(t) => t,
                            rusqlite::types::Value::Blob(_) => "<blob>".to_owned(),
                        })
                    })
                    .collect()
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    }
}

/// A minimal valid case.
pub fn case_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "case_id": id, "kind": "administrative", "offence": "殴打他人", "unit_id": "U01",
        "officers": [{"id": "O1", "role": "lead"}, {"id": "O2", "role": "assist"}],
        "accepted_at": "2026-03-01T09:00:00+08:00",
        "persons": [{"id": "P1", "role": "suspect", "birth_date": "1990-01-01"}]
    })
}

pub fn lines(values: &[serde_json::Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}
