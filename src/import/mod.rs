//! Import of case exports (JSON arrays or NDJSON, detected from the first byte).
//!
//! Records stream through [`split::Splitter`] in batches; each batch is parsed and validated
//! in parallel, then written (upsert by `case_id` with a content hash) in a transaction that
//! spans batches up to [`COMMIT_RECORDS`] records or [`COMMIT_AFTER`].
//! A bad record becomes a [`Reject`] naming file, line, case id, JSON path and what was
//! expected; it is stored in `rejects` and every other record is imported.

pub mod split;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;

use crate::model::{self, Case};
use crate::store::{self, Store, StoreError};
use split::{Item, RawRecord, Splitter};

/// Records parsed per batch (and held in memory twice: one parsed, one being written).
pub const BATCH: usize = 4096;

/// Records written per transaction, at most about: a commit follows the batch that reaches
/// it. Each commit writes every page the transaction dirtied, and the B-trees keyed by case id
/// are dirtied all over by any batch: an import of 100k cases took about a quarter less CPU
/// with 32k records per commit than with 4k.
pub const COMMIT_RECORDS: usize = 32 * 1024;

/// How long an import holds the write lock, at most about (plus one batch): other writers
/// wait for it up to [`crate::store::BUSY_TIMEOUT`], and a kill loses no more than this.
pub const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// A parsed, valid case with its raw text and content hash.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// shared, so that `audit FILE` checks it before it is written without a copy
    pub case: std::sync::Arc<Case>,
    pub raw: String,
    pub hash: String,
    pub line: u64,
}

/// A record that was not imported, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub file: String,
    /// where the problem is: the bad byte of malformed JSON, else the record's first byte
    pub line: u64,
    /// 1-based, in characters
    pub column: u64,
    pub index: Option<u64>,
    pub case_id: Option<String>,
    /// JSON path of the offending field, when one can be named.
    pub path: Option<String>,
    pub reason: String,
    #[serde(skip)]
    pub raw: String,
}

impl Reject {
    /// The multi-line report of STYLE.md R12.
    pub fn render(&self) -> String {
        let who = match &self.case_id {
            Some(id) => format!("case `{id}` was not imported"),
            None => "a record was not imported".to_owned(),
        };
        let at = match self.index {
            Some(i) => format!("{}:{}:{} (array element {i})", self.file, self.line, self.column),
            None => format!("{}:{}:{}", self.file, self.line, self.column),
        };
        let mut s = format!("error: {who}\n  --> {at}\n");
        match &self.path {
            Some(p) if !p.is_empty() && p != "." => s.push_str(&format!("   = at `{p}`: {}\n", self.reason)),
            _ => s.push_str(&format!("   = {}\n", self.reason)),
        }
        if self.reason.contains("RFC 3339") {
            s.push_str("   = help: write timestamps like `2026-03-02T14:05:00+08:00`\n");
        }
        s
    }
}

/// Counts of one import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub run_id: i64,
    pub files: Vec<String>,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub bytes: u64,
    /// files that held no record at all (empty, or whitespace only): accepted with a warning
    pub without_records: Vec<String>,
    #[serde(skip)]
    pub rejects: Vec<Reject>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Finds the case id in a record that failed to parse, if it can be seen at all.
fn sniff_case_id(raw: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#""case_id"\s*:\s*"((?:[^"\\]|\\.)*)""#).ok()).as_ref()?;
    re.captures(raw).and_then(|c| c.get(1)).map(|m| m.as_str().to_owned())
}

/// Removes serde_json's " at line L column C" suffix (the importer reports the file line).
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The file position of serde_json's (line, column) inside a record: its column counts
/// bytes and points at the offending byte (or just past the end, at end of input).
fn file_position(rec: &RawRecord, line: usize, column: usize) -> (u64, u64) {
    let text = rec.text.as_bytes();
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let offset = (start + column.max(1) - 1).min(text.len());
    split::position_in(text, offset, rec.line, rec.column)
}

fn is_syntax(e: &serde_json::Error) -> bool {
    matches!(e.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof)
}

/// Parses and validates one raw record.
#[allow(clippy::result_large_err)] // a reject is rare and moved once; boxing buys nothing
pub fn parse_record(file: &str, rec: RawRecord) -> Result<Parsed, Reject> {
    let reject = |path: Option<String>, reason: String, raw: String| Reject {
        file: file.to_owned(),
        line: rec.line,
        column: rec.column,
        index: rec.index,
        case_id: sniff_case_id(&raw),
        path,
        reason,
        raw,
    };
    let mut de = serde_json::Deserializer::from_str(&rec.text);
    let parsed: Result<Case, serde_path_to_error::Error<serde_json::Error>> = serde_path_to_error::deserialize(&mut de);
    if parsed.is_ok() {
        if let Err(e) = de.end() {
            let (line, column) = file_position(&rec, e.line(), e.column());
            let mut r = reject(
                None,
                format!("malformed JSON: unexpected text after the record: {}", strip_position(&e.to_string())),
                rec.text.clone(),
            );
            (r.line, r.column) = (line, column);
            return Err(r);
        }
    }
    let case: Case = match parsed {
        Ok(c) => c,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // Whether the record is JSON at all is the first thing to say, and the JSON alone
            // decides it: the typed parse stops where the case went wrong, which may be before
            // the bad byte (`"kind": tru` stops at `t`), and it calls a value of the wrong kind
            // for an enum (`"kind": true`, valid JSON) a syntax error. Parsed again only for
            // rejects, so a good record is parsed once.
            if let Err(syntax) = serde_json::from_str::<serde::de::IgnoredAny>(&rec.text) {
                if is_syntax(&syntax) {
                    let (line, column) = file_position(&rec, syntax.line(), syntax.column());
                    let reason = format!("malformed JSON: {}", strip_position(&syntax.to_string()));
                    let mut r = reject(None, reason, rec.text.clone());
                    (r.line, r.column) = (line, column);
                    return Err(r);
                }
            }
            let reason = if is_syntax(&inner) {
                "a value of the wrong kind (expected a string naming one of the allowed values)".to_owned()
            } else {
                strip_position(&inner.to_string())
            };
            let path = (path != "." && path != "?").then_some(path);
            return Err(reject(path, reason, rec.text));
        }
    };
    let problems = model::validate(&case);
    if let Some(first) = problems.first() {
        let mut reason = first.message.clone();
        if problems.len() > 1 {
            reason.push_str(&format!(" (and {} more problem(s))", problems.len() - 1));
        }
        let mut r = reject(Some(first.path.clone()), reason, rec.text);
        r.case_id = Some(case.case_id.clone());
        return Err(r);
    }
    let hash = blake3::hash(rec.text.as_bytes()).to_hex().to_string();
    Ok(Parsed { case: std::sync::Arc::new(case), raw: rec.text, hash, line: rec.line })
}

/// An input: a path, or `-` for standard input.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead + Send>, ImportError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())));
    }
    let f = std::fs::File::open(path).map_err(|source| ImportError::Read { path: path.into(), source })?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(ImportError::Read { path: path.into(), source: std::io::Error::other("is a directory") });
    }
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
}

/// Every valid case of a file, in memory (`explain FILE`, `bench eval`), with the bytes of
/// its records; `rejected` hears of each record left out: `Some` with why for a record that
/// is not a valid case, `None` for text that is not a JSON record at all.
pub fn read_cases(path: &Path, mut rejected: impl FnMut(Option<Reject>)) -> Result<(Vec<Case>, u64), ImportError> {
    let mut sp = Splitter::new(open_input(path)?);
    let name = path.display().to_string();
    let (mut cases, mut bytes) = (Vec::new(), 0u64);
    while let Some(item) = sp.next_item().map_err(|source| ImportError::Read { path: path.into(), source })? {
        match item {
            Item::Record(r) => {
                bytes += r.text.len() as u64 + 1;
                match parse_record(&name, r) {
                    Ok(p) => cases.push(std::sync::Arc::unwrap_or_clone(p.case)),
                    Err(rej) => rejected(Some(rej)),
                }
            }
            Item::Broken { .. } => rejected(None),
        }
    }
    Ok((cases, bytes))
}

/// One batch of a file: its records parsed (valid cases and rejects), with the input bytes
/// and how many items it held.
pub(crate) struct Batch {
    pub good: Vec<Parsed>,
    pub rejects: Vec<Reject>,
    pub bytes: u64,
    pub items: u64,
}

/// Reads up to `size` records of a file ([`BATCH`] for an import) and parses them in
/// parallel; `None` at its end.
#[allow(clippy::result_large_err)] // as in `parse_record`: rejects are rare
pub(crate) fn next_batch(
    name: &str,
    splitter: &mut Splitter<Box<dyn BufRead + Send>>,
    size: usize,
) -> Result<Option<Batch>, ImportError> {
    let mut records = Vec::with_capacity(size);
    let mut broken = Vec::new();
    while records.len() < size {
        match splitter.next_item() {
            Ok(Some(Item::Record(r))) => records.push(r),
            Ok(Some(Item::Broken { line, column, index, text, reason })) => broken.push(Reject {
                file: name.to_owned(),
                line,
                column,
                index,
                case_id: None,
                path: None,
                reason,
                raw: text,
            }),
            Ok(None) => break,
            Err(source) => return Err(ImportError::Read { path: PathBuf::from(name), source }),
        }
    }
    if records.is_empty() && broken.is_empty() {
        return Ok(None);
    }
    let items = (records.len() + broken.len()) as u64;
    let bytes = records.iter().map(|r| r.text.len() as u64 + 1).sum::<u64>();
    let results: Vec<Result<Parsed, Reject>> = records.into_par_iter().map(|r| parse_record(name, r)).collect();
    let mut good = Vec::with_capacity(results.len());
    let mut rejects = broken;
    for r in results {
        match r {
            Ok(p) => good.push(p),
            Err(rej) => rejects.push(rej),
        }
    }
    Ok(Some(Batch { good, rejects, bytes, items }))
}

/// The batches of every file, written in `tx`: a commit follows the batch that reaches
/// [`COMMIT_RECORDS`] records or [`COMMIT_AFTER`] since the last one.
#[allow(clippy::result_large_err)]
fn write_files(
    store: &mut Store,
    tx: &mut store::cases::ImportTx,
    readers: Vec<(String, Box<dyn BufRead + Send>)>,
    summary: &mut ImportSummary,
    progress: &dyn Fn(u64),
) -> Result<(), ImportError> {
    let run = summary.run_id;
    for (name, reader) in readers {
        let mut splitter = Splitter::new(reader);
        let mut items = 0u64;
        let mut pending = next_batch(&name, &mut splitter, BATCH)?;
        while let Some(batch) = pending.take() {
            let (written, next) = rayon::join(
                || -> Result<_, StoreError> {
                    let counts = tx.write(store, run, &batch.good, &batch.rejects)?;
                    if tx.pending() >= COMMIT_RECORDS || tx.open_for() >= COMMIT_AFTER {
                        tx.commit(store)?;
                    }
                    Ok(counts)
                },
                || next_batch(&name, &mut splitter, BATCH),
            );
            let counts = written?;
            pending = next?;
            items += batch.items;
            summary.bytes += batch.bytes;
            summary.new += counts.0;
            summary.changed += counts.1;
            summary.unchanged += counts.2;
            summary.rejected += batch.rejects.len() as u64;
            summary.rejects.extend(batch.rejects);
            progress(summary.new + summary.changed + summary.unchanged + summary.rejected);
        }
        if items == 0 {
            summary.without_records.push(name);
        }
    }
    Ok(())
}

/// Streams every file into the store. Files are opened before anything is written, so an
/// unreadable file means nothing was imported.
///
/// A pipeline: while one thread writes a batch (one transaction), the others read and parse
/// the next, so parsing and SQLite's writing overlap.
#[allow(clippy::result_large_err)]
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    progress: &dyn Fn(u64),
) -> Result<ImportSummary, ImportError> {
    let mut readers = Vec::new();
    for p in paths {
        readers.push((p.display().to_string(), open_input(p)?));
    }
    let mut summary = ImportSummary { files: readers.iter().map(|(n, _)| n.clone()).collect(), ..Default::default() };
    summary.run_id = store::cases::begin_import(store, &summary.files)?;
    let mut tx = store::cases::ImportTx::default();
    let written = write_files(store, &mut tx, readers, &mut summary, progress);
    match written {
        Ok(()) => tx.finish(store)?,
        Err(e) => {
            tx.rollback(store);
            return Err(e);
        }
    }
    store::cases::finish_import(store, &summary)?;
    Ok(summary)
}
