//! The git sources: the whole history (each blob read once), the index (staged changes), and
//! whether a working-tree file is tracked, untracked or ignored.
//!
//! These talk to git through its plumbing commands (`rev-list`, `log --raw`, `cat-file --batch`,
//! `ls-files`) rather than a Rust git library: the plumbing streams every object exactly once,
//! speaks every repository format git itself does (packs, alternates, partial clones, SHA-256),
//! reports a corrupt object by id and goes on with the next, and anyone scanning a repository
//! has git installed. A pure-Rust reader would have to match all of that.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use keyward_core::{CommitInfo, Finding, GitStatus};

use crate::matcher::{BufferReport, Matcher};
use crate::outcome::{finding_from_match, InputError, Outcome, SkipReason, Stats};
use crate::{Progress, ScanOptions};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("{path}: not a git repository")]
    NotARepo { path: String },
    #[error("git {command} failed in {repo}: {stderr}")]
    Failed {
        command: String,
        repo: String,
        stderr: String,
    },
}

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo).env("GIT_TERMINAL_PROMPT", "0");
    c
}

/// Runs a git command to completion and returns its stdout.
fn run(repo: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = git(repo)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: args.first().copied().unwrap_or("").to_string(),
            repo: repo.display().to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The top of the work tree holding `path`, if any.
pub fn repo_root(path: &Path) -> Result<PathBuf, GitError> {
    let out = run(path, &["rev-parse", "--show-toplevel"]).map_err(|_| GitError::NotARepo {
        path: path.display().to_string(),
    })?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

/// Answers "does git track this file?" for working-tree findings, asking git once per repository.
#[derive(Default)]
pub struct StatusOracle {
    repos: HashMap<PathBuf, Option<RepoFiles>>,
}

struct RepoFiles {
    tracked: HashSet<PathBuf>,
    untracked: HashSet<PathBuf>,
}

impl StatusOracle {
    pub fn status(&mut self, file: &Path) -> Option<GitStatus> {
        let abs = std::fs::canonicalize(file).ok()?;
        let root = find_work_tree(&abs);
        let Some(root) = root else {
            return Some(GitStatus::None);
        };
        let files = self
            .repos
            .entry(root.clone())
            .or_insert_with(|| RepoFiles::load(&root))
            .as_ref()?;
        let rel = abs.strip_prefix(&root).ok()?;
        Some(if files.tracked.contains(rel) {
            GitStatus::Tracked
        } else if files.untracked.contains(rel) {
            GitStatus::Untracked
        } else {
            GitStatus::Ignored
        })
    }
}

fn find_work_tree(abs: &Path) -> Option<PathBuf> {
    abs.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

impl RepoFiles {
    fn load(root: &Path) -> Option<RepoFiles> {
        let list = |args: &[&str]| -> Option<HashSet<PathBuf>> {
            let out = run(root, args).ok()?;
            Some(
                out.split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| PathBuf::from(String::from_utf8_lossy(p).as_ref()))
                    .collect(),
            )
        };
        Some(RepoFiles {
            tracked: list(&["ls-files", "-z", "--cached"])?,
            untracked: list(&["ls-files", "-z", "--others", "--exclude-standard"])?,
        })
    }
}

/// A blob to read, with what is known of where it came from.
struct BlobJob {
    oid: String,
    path: String,
    /// Index into the commit list of the commit that introduced it, where known.
    commit: Option<usize>,
}

/// Scans every blob reachable from any ref (or, with `since`, not reachable from `since`).
/// Each finding names the commit, author, date and path where its secret first appeared.
pub fn scan_history(
    matcher: &Matcher,
    repo: &Path,
    since: Option<&str>,
    opts: &ScanOptions,
    progress: Progress<'_>,
) -> Result<Outcome, GitError> {
    let root = repo_root(repo)?;
    let exclusion = since.map(|s| format!("^{s}"));
    let mut rev_args = vec![
        "rev-list",
        "--objects",
        "--all",
        "--filter=object:type=blob",
    ];
    if let Some(e) = &exclusion {
        rev_args.push(e);
    }
    let listing = run(&root, &rev_args)?;
    let (commits, first_seen) = commit_attribution(&root, exclusion.as_deref())?;

    let mut jobs: Vec<BlobJob> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for line in listing.split(|&b| b == b'\n') {
        // Commits are listed too (without a path); blobs are "<oid> <path>".
        let Some(sp) = line.iter().position(|&b| b == b' ') else {
            continue;
        };
        let (oid, path) = (&line[..sp], &line[sp + 1..]);
        if !seen.insert(oid) {
            continue;
        }
        let oid = String::from_utf8_lossy(oid).into_owned();
        let (path, commit) = match first_seen.get(&oid) {
            Some((c, p)) => (p.clone(), Some(*c)),
            None => (String::from_utf8_lossy(path).into_owned(), None),
        };
        jobs.push(BlobJob { oid, path, commit });
    }
    let mut stats = Stats::default();
    jobs.retain(|j| {
        let keep = !opts.excluded(&j.path);
        if !keep {
            stats.skip(SkipReason::Excluded);
        }
        keep
    });

    let (hits, mut outcome) = read_blobs(matcher, &root, &jobs, opts, progress);
    outcome.stats.merge(&stats);

    // The same secret in several versions of a file is one leak: keep its earliest commit.
    let mut earliest: HashMap<(String, String, String), (usize, Finding)> = HashMap::new();
    for (job_idx, report) in hits {
        let job = &jobs[job_idx];
        let commit_idx = job
            .commit
            .or_else(|| find_introducing_commit(&root, &job.oid, &commits));
        let info = commit_idx.and_then(|i| commits.get(i)).cloned();
        for m in &report.matches {
            let rule = &matcher.rules()[m.rule];
            let f = finding_from_match(rule, m, &job.path, None, info.clone());
            let key = (rule.def.id.clone(), job.path.clone(), m.secret.clone());
            let order = commit_idx.unwrap_or(usize::MAX);
            match earliest.get(&key) {
                Some((o, _)) if *o <= order => {}
                _ => {
                    earliest.insert(key, (order, f));
                }
            }
        }
    }
    let mut findings: Vec<(usize, Finding)> = earliest.into_values().collect();
    findings.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.location.path.cmp(&b.1.location.path))
            .then_with(|| a.1.location.line.cmp(&b.1.location.line))
    });
    outcome.findings = findings.into_iter().map(|(_, f)| f).collect();
    Ok(outcome)
}

/// Commits oldest first, and for each blob the first commit (and path) that added it.
#[allow(clippy::type_complexity)]
fn commit_attribution(
    root: &Path,
    exclusion: Option<&str>,
) -> Result<(Vec<CommitInfo>, HashMap<String, (usize, String)>), GitError> {
    let mut args = vec![
        "log",
        "--all",
        "--reverse",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "-z",
        "--format=%x01%H%x02%an%x02%ae%x02%aI%x02%s",
    ];
    if let Some(e) = exclusion {
        args.push(e);
    }
    // Streamed one commit at a time: a large history's raw log runs to gigabytes.
    let mut child = git(root)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(GitError::Spawn(std::io::Error::other(
            "git log has no pipes",
        )));
    };
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut commits = Vec::new();
    let mut first_seen: HashMap<String, (usize, String)> = HashMap::new();
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        let n = reader.read_until(1, &mut chunk).map_err(GitError::Spawn)?;
        if n == 0 {
            break;
        }
        if chunk.last() == Some(&1) {
            chunk.pop();
        }
        if chunk.is_empty() {
            continue;
        }
        let mut parts = chunk.split(|&b| b == 0);
        let header = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        let f: Vec<&str> = header.split('\u{2}').collect();
        let idx = commits.len();
        commits.push(CommitInfo {
            id: f.first().copied().unwrap_or_default().to_string(),
            author: f.get(1).copied().unwrap_or_default().to_string(),
            email: f.get(2).copied().unwrap_or_default().to_string(),
            date: f.get(3).copied().unwrap_or_default().to_string(),
            summary: f.get(4).copied().unwrap_or_default().to_string(),
        });
        // Then ":<mode> <mode> <old> <new> <status>" and the path, NUL-separated.
        let mut pending: Option<String> = None;
        for tok in parts {
            let tok = tok.strip_prefix(b"\n").unwrap_or(tok);
            if tok.first() == Some(&b':') {
                let meta = String::from_utf8_lossy(tok);
                let fields: Vec<&str> = meta.split(' ').collect();
                pending = fields
                    .get(3)
                    .filter(|oid| !oid.bytes().all(|b| b == b'0'))
                    .map(|s| s.to_string());
            } else if let Some(oid) = pending.take() {
                let path = String::from_utf8_lossy(tok).into_owned();
                first_seen.entry(oid).or_insert((idx, path));
            }
        }
    }
    let status = child.wait().map_err(GitError::Spawn)?;
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(GitError::Failed {
            command: "log".into(),
            repo: root.display().to_string(),
            stderr: stderr.trim().to_string(),
        });
    }
    Ok((commits, first_seen))
}

/// For a blob that `log --raw` did not attribute (it came in through a merge), asks git which
/// commit introduced it.
fn find_introducing_commit(root: &Path, oid: &str, commits: &[CommitInfo]) -> Option<usize> {
    let find = format!("--find-object={oid}");
    let out = run(root, &["log", "--all", "--format=%H", &find]).ok()?;
    let text = String::from_utf8_lossy(&out);
    let oldest = text.lines().last()?;
    commits.iter().position(|c| c.id == oldest)
}

/// Scans the staged version of every file the next commit would add or change.
pub fn scan_staged(
    matcher: &Matcher,
    repo: &Path,
    opts: &ScanOptions,
    progress: Progress<'_>,
) -> Result<Outcome, GitError> {
    let root = repo_root(repo)?;
    let changed = run(
        &root,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=ACMRT",
        ],
    )?;
    let changed: HashSet<&[u8]> = changed
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .collect();
    let index = run(&root, &["ls-files", "--stage", "-z"])?;
    let mut jobs = Vec::new();
    let mut stats = Stats::default();
    for entry in index.split(|&b| b == 0) {
        // "<mode> <oid> <stage>\t<path>"
        let Some(tab) = entry.iter().position(|&b| b == b'\t') else {
            continue;
        };
        let path = &entry[tab + 1..];
        if !changed.contains(path) {
            continue;
        }
        let meta = String::from_utf8_lossy(&entry[..tab]);
        let Some(oid) = meta.split(' ').nth(1) else {
            continue;
        };
        let path = String::from_utf8_lossy(path).into_owned();
        if opts.excluded(&path) {
            stats.skip(SkipReason::Excluded);
            continue;
        }
        jobs.push(BlobJob {
            oid: oid.to_string(),
            path,
            commit: None,
        });
    }
    let (hits, mut outcome) = read_blobs(matcher, &root, &jobs, opts, progress);
    outcome.stats.merge(&stats);
    for (job_idx, report) in hits {
        let job = &jobs[job_idx];
        for m in &report.matches {
            let rule = &matcher.rules()[m.rule];
            outcome.findings.push(finding_from_match(
                rule,
                m,
                &job.path,
                Some(GitStatus::Tracked),
                None,
            ));
        }
    }
    Ok(outcome)
}

/// Reads blobs through `git cat-file --batch` on one thread and scans them on the others.
/// Memory is bounded by the channel: at most two blobs per worker are in flight. A blob git
/// cannot read (a corrupt object) is reported and the batch restarts after it.
fn read_blobs(
    matcher: &Matcher,
    root: &Path,
    jobs: &[BlobJob],
    opts: &ScanOptions,
    progress: Progress<'_>,
) -> (Vec<(usize, BufferReport)>, Outcome) {
    let workers = opts.thread_count();
    let (tx, rx) = crossbeam_channel::bounded::<(usize, Vec<u8>)>(workers * 2);
    let hits = Mutex::new(Vec::new());
    let stats = Mutex::new(Stats::default());
    let mut errors = Vec::new();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let rx = rx.clone();
            let (hits, stats) = (&hits, &stats);
            s.spawn(move || {
                let mut local = Stats::default();
                let mut found = Vec::new();
                for (idx, blob) in rx {
                    progress(blob.len() as u64);
                    if memchr::memchr(0, &blob[..blob.len().min(8192)]).is_some() {
                        local.skip(SkipReason::Binary);
                        continue;
                    }
                    local.files += 1;
                    local.bytes += blob.len() as u64;
                    let report = matcher.scan(&blob);
                    local.examples += u64::from(report.examples);
                    local.allowed += u64::from(report.allowed);
                    if !report.matches.is_empty() {
                        found.push((idx, report));
                    }
                }
                hits.lock().unwrap_or_else(|e| e.into_inner()).extend(found);
                stats
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .merge(&local);
            });
        }
        drop(rx);
        let mut next = 0;
        while next < jobs.len() {
            match batch(root, jobs, next, opts, &tx, &stats, &mut errors) {
                Ok(()) => break,
                Err((failed, reason)) => {
                    errors.push(InputError {
                        path: format!("{} (blob {})", jobs[failed].path, jobs[failed].oid),
                        reason,
                    });
                    next = failed + 1;
                }
            }
        }
        drop(tx);
    });
    let outcome = Outcome {
        findings: Vec::new(),
        errors,
        stats: stats.into_inner().unwrap_or_else(|e| e.into_inner()),
    };
    (
        hits.into_inner().unwrap_or_else(|e| e.into_inner()),
        outcome,
    )
}

/// One `cat-file --batch` process over `jobs[from..]`. On failure, returns the index of the job
/// that could not be read and why.
fn batch(
    root: &Path,
    jobs: &[BlobJob],
    from: usize,
    opts: &ScanOptions,
    tx: &crossbeam_channel::Sender<(usize, Vec<u8>)>,
    stats: &Mutex<Stats>,
    missing: &mut Vec<InputError>,
) -> Result<(), (usize, String)> {
    let mut child = git(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| (from, format!("cannot run git cat-file: {e}")))?;
    let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err((from, "git cat-file has no pipes".into()));
    };
    let ids: Vec<String> = jobs[from..].iter().map(|j| j.oid.clone()).collect();
    // Feeding stdin on its own thread keeps both pipes moving, whatever their buffer sizes.
    let feeder = std::thread::spawn(move || {
        for id in ids {
            if writeln!(stdin, "{id}").is_err() {
                break;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut out = BufReader::with_capacity(1 << 20, stdout);
    let mut header = String::new();
    let mut result = Ok(());
    for (i, job) in jobs.iter().enumerate().skip(from) {
        header.clear();
        match out.read_line(&mut header) {
            Ok(0) | Err(_) => {
                result = Err(i);
                break;
            }
            Ok(_) => {}
        }
        // "<oid> <type> <size>" or "<oid> missing"
        let fields: Vec<&str> = header.split_whitespace().collect();
        let size = match fields.as_slice() {
            [_, _, size] => size.parse::<u64>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            if header.trim_end().ends_with(" missing") {
                missing.push(InputError {
                    path: format!("{} (blob {})", job.path, job.oid),
                    reason: "object missing from the repository".into(),
                });
                continue;
            }
            result = Err(i);
            break;
        };
        if size > opts.max_file_size {
            let skipped = std::io::copy(&mut (&mut out).take(size + 1), &mut std::io::sink());
            if skipped.is_err() {
                result = Err(i);
                break;
            }
            stats
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .skip(SkipReason::TooLarge);
            continue;
        }
        let mut blob = vec![0u8; size as usize + 1];
        if out.read_exact(&mut blob).is_err() {
            result = Err(i);
            break;
        }
        blob.truncate(size as usize); // the trailing newline
        if tx.send((i, blob)).is_err() {
            break;
        }
    }
    drop(out);
    let _ = child.kill();
    let _ = child.wait();
    let _ = feeder.join();
    let stderr = err_reader.join().unwrap_or_default();
    result.map_err(|i| {
        let reason = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let reason = if reason.is_empty() {
            "git could not read this object".to_string()
        } else {
            reason
        };
        (i, reason)
    })
}
