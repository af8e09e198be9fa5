//! The file-system source: a parallel walk over the given paths, and stdin.
//!
//! Unlike a code search tool, the walk does not honour `.gitignore`: the ignored `.env` on a web
//! server is exactly what leaks. Ignored files are scanned and their findings marked (see
//! [`crate::git::StatusOracle`]). Only `.git` internals are left out; history has its own source.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use keyward_core::Finding;

use crate::git::StatusOracle;
use crate::matcher::{BufferReport, Matcher};
use crate::outcome::{display_path, finding_from_match, InputError, Outcome, SkipReason, Stats};
use crate::{Progress, ScanOptions};

/// How many bytes decide whether a file is binary (git looks at the first 8000).
const BINARY_PROBE: usize = 8192;

/// The matches of one file, before git status is known.
struct FileHits {
    path: String,
    report: BufferReport,
}

#[derive(Default)]
struct Shared {
    hits: Vec<FileHits>,
    errors: Vec<InputError>,
    stats: Stats,
}

/// Scans files and directories (`-` is stdin).
pub fn scan_paths(
    matcher: &Matcher,
    paths: &[PathBuf],
    opts: &ScanOptions,
    progress: Progress<'_>,
) -> Outcome {
    let shared = Mutex::new(Shared::default());
    let mut roots: Vec<&PathBuf> = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            scan_stdin(matcher, opts, &shared, progress);
        } else {
            roots.push(p);
        }
    }
    if let Some((first, rest)) = roots.split_first() {
        let mut builder = WalkBuilder::new(first);
        for r in rest {
            builder.add(r);
        }
        builder
            .standard_filters(false)
            .follow_links(opts.follow_links)
            .threads(opts.thread_count());
        builder.build_parallel().run(|| {
            let mut worker = Worker {
                roots: &roots,
                matcher,
                opts,
                shared: &shared,
                progress,
                buf: Vec::new(),
                stats: Stats::default(),
                hits: Vec::new(),
                errors: Vec::new(),
            };
            Box::new(move |entry| worker.visit(entry))
        });
    }
    let shared = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut oracle = StatusOracle::default();
    let mut findings: Vec<Finding> = Vec::new();
    for hit in shared.hits {
        let status = if hit.path == "-" {
            None
        } else {
            oracle.status(Path::new(&hit.path))
        };
        for m in &hit.report.matches {
            let rule = &matcher.rules()[m.rule];
            findings.push(finding_from_match(rule, m, &hit.path, status, None));
        }
    }
    let mut errors = shared.errors;
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    Outcome {
        findings,
        errors,
        stats: shared.stats,
    }
}

fn scan_stdin(matcher: &Matcher, opts: &ScanOptions, shared: &Mutex<Shared>, progress: Progress) {
    let mut buf = Vec::new();
    let read = io::stdin()
        .lock()
        .take(opts.max_file_size + 1)
        .read_to_end(&mut buf);
    let mut sh = shared.lock().unwrap_or_else(|e| e.into_inner());
    match read {
        Err(e) => sh.errors.push(InputError {
            path: "-".into(),
            reason: e.to_string(),
        }),
        Ok(_) if buf.len() as u64 > opts.max_file_size => sh.stats.skip(SkipReason::TooLarge),
        Ok(n) => {
            progress(n as u64);
            sh.stats.files += 1;
            sh.stats.bytes += n as u64;
            let report = matcher.scan(&buf);
            sh.stats.examples += u64::from(report.examples);
            sh.stats.allowed += u64::from(report.allowed);
            if !report.matches.is_empty() {
                sh.hits.push(FileHits {
                    path: "-".into(),
                    report,
                });
            }
        }
    }
}

/// One walker thread's state: a reused read buffer and results kept local until the thread ends,
/// so threads do not contend on a lock per file.
struct Worker<'a> {
    roots: &'a [&'a PathBuf],
    matcher: &'a Matcher,
    opts: &'a ScanOptions,
    shared: &'a Mutex<Shared>,
    progress: Progress<'a>,
    buf: Vec<u8>,
    stats: Stats,
    hits: Vec<FileHits>,
    errors: Vec<InputError>,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        let mut sh = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        sh.stats.merge(&self.stats);
        sh.hits.append(&mut self.hits);
        sh.errors.append(&mut self.errors);
    }
}

impl Worker<'_> {
    /// The path below the root it was found under: what `exclude-paths` globs are written
    /// against, whichever directory the scan was started from.
    fn relative(&self, path: &Path) -> String {
        self.roots
            .iter()
            .find_map(|r| path.strip_prefix(r).ok())
            .map_or_else(|| display_path(path), display_path)
    }

    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                self.errors.push(walk_error(&err));
                return WalkState::Continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            // stdin is handled elsewhere; nothing else lacks a file type.
            return WalkState::Continue;
        };
        if entry.file_name() == ".git" {
            self.stats.skip(SkipReason::GitInternals);
            return if ft.is_dir() {
                WalkState::Skip
            } else {
                WalkState::Continue
            };
        }
        let path = display_path(entry.path());
        if entry.depth() > 0 && self.opts.excluded(&self.relative(entry.path())) {
            self.stats.skip(SkipReason::Excluded);
            return if ft.is_dir() {
                WalkState::Skip
            } else {
                WalkState::Continue
            };
        }
        if ft.is_dir() {
            return WalkState::Continue;
        }
        if ft.is_symlink() {
            self.stats.skip(SkipReason::Symlink);
            return WalkState::Continue;
        }
        if !ft.is_file() {
            self.stats.skip(SkipReason::NotAFile);
            return WalkState::Continue;
        }
        if let Err(reason) = self.scan_file(entry.path(), &path) {
            self.errors.push(InputError { path, reason });
        }
        WalkState::Continue
    }

    fn scan_file(&mut self, fs_path: &Path, path: &str) -> Result<(), String> {
        let mut file = File::open(fs_path).map_err(|e| e.to_string())?;
        let len = file.metadata().map_err(|e| e.to_string())?.len();
        if len > self.opts.max_file_size {
            self.stats.skip(SkipReason::TooLarge);
            return Ok(());
        }
        self.buf.clear();
        // The limit guards against a file that grows while it is read.
        (&mut file)
            .take(self.opts.max_file_size + 1)
            .read_to_end(&mut self.buf)
            .map_err(|e| e.to_string())?;
        let n = self.buf.len();
        (self.progress)(n as u64);
        if n as u64 > self.opts.max_file_size {
            self.stats.skip(SkipReason::TooLarge);
            return Ok(());
        }
        if memchr::memchr(0, &self.buf[..n.min(BINARY_PROBE)]).is_some() {
            self.stats.skip(SkipReason::Binary);
            return Ok(());
        }
        self.stats.files += 1;
        self.stats.bytes += n as u64;
        let report = self.matcher.scan(&self.buf);
        self.stats.examples += u64::from(report.examples);
        self.stats.allowed += u64::from(report.allowed);
        if !report.matches.is_empty() {
            self.hits.push(FileHits {
                path: path.to_string(),
                report,
            });
        }
        Ok(())
    }
}

/// Path and reason of a walk error (permission denied, broken link, symlink loop).
fn walk_error(err: &ignore::Error) -> InputError {
    match err {
        ignore::Error::WithPath { path, err } => InputError {
            path: display_path(path),
            reason: walk_error(err).reason,
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::Loop { ancestor, child } => InputError {
            path: display_path(child),
            reason: format!(
                "symbolic link loop (points back to {})",
                display_path(ancestor)
            ),
        },
        ignore::Error::Io(e) if e.kind() == io::ErrorKind::NotFound => InputError {
            path: String::new(),
            reason: "not found (a broken symbolic link?)".into(),
        },
        other => InputError {
            path: String::new(),
            reason: other.to_string(),
        },
    }
}
