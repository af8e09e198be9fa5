//! `keyward detect`: Sigma rules over CloudTrail, offline or live.
//!
//! Sources ([`source`]) turn files, trees and exports into CloudTrail records; each record is
//! read without copying ([`record`]); rules ([`rule`]) are compiled from Sigma YAML and indexed
//! by the API call they look at ([`engine`]); matches become alerts ([`alert`]), and matches of
//! rules that correlations refer to go to the correlation engine ([`correlate`]), which joins
//! them in event-time order. Files are processed in parallel, one worker per core.

pub mod alert;
pub mod condition;
pub mod correlate;
pub mod docs;
pub mod engine;
pub mod matcher;
pub mod record;
pub mod rule;
pub mod source;

use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::sync::Arc;

use keyward_core::Finding;
use serde_json::value::RawValue;

pub use engine::RuleSet;
pub use rule::{LoadError, Rule};
pub use source::{Input, InputError, SkipReason};

use alert::EventRef;
use correlate::{Correlator, Hit};
use record::Record;

mod pack {
    include!(concat!(env!("OUT_DIR"), "/pack.rs"));
}

/// The bundled CloudTrail rule pack.
pub fn builtin_rules() -> (Vec<Rule>, Vec<LoadError>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in pack::PACK {
        let (r, e) = rule::load_str(text, &format!("builtin:{path}"));
        rules.extend(r);
        errors.extend(e);
    }
    (rules, errors)
}

/// Loads every `*.yml`/`*.yaml` under `path` (or the file itself).
pub fn load_rules(path: &FsPath) -> (Vec<Rule>, Vec<LoadError>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    if path.is_dir() {
        for e in ignore::WalkBuilder::new(path)
            .standard_filters(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build()
        {
            match e {
                Ok(e) => {
                    let p = e.path();
                    if e.file_type().is_some_and(|t| t.is_file())
                        && p.extension().is_some_and(|x| x == "yml" || x == "yaml")
                    {
                        files.push(p.to_path_buf());
                    }
                }
                Err(e) => errors.push(LoadError {
                    source: path.display().to_string(),
                    rule: None,
                    message: e.to_string(),
                }),
            }
        }
    } else {
        files.push(path.to_path_buf());
    }
    for f in files {
        match std::fs::read_to_string(&f) {
            Ok(text) => {
                let (r, e) = rule::load_str(&text, &f.display().to_string());
                rules.extend(r);
                errors.extend(e);
            }
            Err(e) => errors.push(LoadError {
                source: f.display().to_string(),
                rule: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (rules, errors)
}

/// How a run reads its input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only events at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Only events before this time.
    pub until: Option<i64>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Keep each matched event's JSON in its alert (`event` property).
    pub keep_events: bool,
}

/// What a run read.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub files: u64,
    /// Decompressed bytes.
    pub bytes: u64,
    pub records: u64,
    /// Records outside `--since`/`--until`.
    pub filtered: u64,
    /// Records that could not be evaluated (no `eventTime`, not an object), also in `errors`.
    pub bad_records: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub seconds: f64,
}

#[derive(Debug, Default)]
pub struct Outcome {
    /// Alerts, ordered by event time.
    pub alerts: Vec<Finding>,
    pub stats: Stats,
    pub errors: Vec<InputError>,
}

/// `eventTime` as seconds since the epoch.
pub fn parse_time(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// `30s`, `5m`, `1h`, `1d`, `2w` as seconds; `None` unless a whole number and one of those units.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let unit = match s.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        'w' => 7 * 86400,
        _ => return None,
    };
    s[..s.len() - 1].parse::<i64>().ok()?.checked_mul(unit)
}

/// One worker's state: its rule index cache and what it has found.
struct Worker<'s> {
    set: &'s RuleSet,
    eval: engine::Evaluator<'s>,
    opts: &'s Options,
    alerts: Vec<Finding>,
    hits: Vec<Hit>,
    matched: Vec<u32>,
    records: u64,
    filtered: u64,
    no_time: u64,
    first_no_time: Option<String>,
    not_object: u64,
}

impl<'s> Worker<'s> {
    fn new(set: &'s RuleSet, opts: &'s Options) -> Self {
        Worker {
            set,
            eval: engine::Evaluator::new(set),
            opts,
            alerts: Vec::new(),
            hits: Vec::new(),
            matched: Vec::new(),
            records: 0,
            filtered: 0,
            no_time: 0,
            first_no_time: None,
            not_object: 0,
        }
    }

    fn item(&mut self, item: source::Item<'_>, file: &Arc<str>, line: Option<u32>) {
        match item {
            source::Item::Raw(raw) => self.record(raw, file, line),
            source::Item::Parsed(r) => {
                self.records += 1;
                self.evaluate(&r, file, line);
            }
        }
    }

    fn record(&mut self, raw: &RawValue, file: &Arc<str>, line: Option<u32>) {
        self.records += 1;
        let Ok(r) = Record::parse(raw) else {
            self.not_object += 1;
            return;
        };
        self.evaluate(&r, file, line);
    }

    fn evaluate(&mut self, r: &Record<'_>, file: &Arc<str>, line: Option<u32>) {
        let Some(time) = r.str_field("eventTime").and_then(|t| parse_time(&t)) else {
            self.no_time += 1;
            if self.first_no_time.is_none() {
                let id = r.str_field("eventID").map(|i| format!(" (eventID {i})"));
                let at = line.map(|l| format!(" at line {l}"));
                self.first_no_time = Some(format!(
                    "{}{}",
                    at.unwrap_or_default(),
                    id.unwrap_or_default()
                ));
            }
            return;
        };
        if self.opts.since.is_some_and(|s| time < s) || self.opts.until.is_some_and(|u| time >= u) {
            self.filtered += 1;
            return;
        }
        self.matched.clear();
        self.eval.eval(r, &mut self.matched);
        if self.matched.is_empty() {
            return;
        }
        let ev = EventRef::new(r, time, file, line, self.opts.keep_events);
        for &m in &self.matched {
            let m = m as usize;
            let rule = &self.set.rules[m];
            if self.set.alerting[m] {
                self.alerts.push(alert::event_alert(rule, &ev));
            }
            for &(ci, pos) in &self.set.feeds[m] {
                let plan = &self.set.corrs[ci];
                let key: Option<Vec<String>> = plan.group_paths[pos]
                    .iter()
                    .map(|p| r.first_scalar(p).filter(|v| !v.is_empty()))
                    .collect();
                let Some(key) = key else {
                    continue;
                };
                let value = plan.value_path.as_ref().and_then(|p| {
                    let mut vals = Vec::new();
                    r.values(p, &mut vals);
                    vals.iter().find_map(|v| v.as_text().map(str::to_string))
                });
                self.hits.push(Hit {
                    corr: ci as u32,
                    member: pos as u32,
                    key,
                    value,
                    ev: ev.clone(),
                });
            }
        }
    }
}

/// The ids of the detection rules that match one record (JSON text), whether or not they raise
/// alerts of their own. `None` if the text is not a JSON object.
pub fn matching_rules(set: &RuleSet, record: &str) -> Option<Vec<String>> {
    let raw = serde_json::from_str::<&RawValue>(record).ok()?;
    let r = Record::parse(raw).ok()?;
    let mut out = Vec::new();
    engine::Evaluator::new(set).eval(&r, &mut out);
    Some(
        out.into_iter()
            .map(|i| set.rules[i as usize].info.id.clone())
            .collect(),
    )
}

/// Evaluates the rule set over records given as JSON text, in order, as if they were one JSON
/// Lines file named `name`. Used by the rule examples and by tests.
pub fn run_records(set: &RuleSet, name: &str, records: &[String]) -> Outcome {
    let opts = Options::default();
    let mut w = Worker::new(set, &opts);
    let file: Arc<str> = Arc::from(name);
    for (i, text) in records.iter().enumerate() {
        match serde_json::from_str::<&RawValue>(text) {
            Ok(raw) => w.record(raw, &file, Some(i as u32 + 1)),
            Err(_) => w.not_object += 1,
        }
    }
    finish(set, vec![w], Stats::default(), Vec::new())
}

/// Evaluates the rule set over `inputs`, in parallel. `progress` is called with the
/// decompressed bytes of each input when it is done.
pub fn run(
    set: &RuleSet,
    inputs: &[Input],
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let (tx, rx) = crossbeam_channel::unbounded::<Input>();
    for i in inputs {
        let _ = tx.send(i.clone());
    }
    drop(tx);
    run_channel(set, rx, inputs.len().max(1), opts, progress)
}

/// Evaluates the rule set over inputs as they arrive on `rx` (from S3, say, fetched while
/// earlier ones are evaluated), until the sender is dropped. A bounded channel bounds memory.
pub fn run_stream(
    set: &RuleSet,
    rx: crossbeam_channel::Receiver<Input>,
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    run_channel(set, rx, usize::MAX, opts, progress)
}

/// Evaluates what arrives on `rx`, one worker per core (or `opts.threads`), at most `max_workers`.
fn run_channel(
    set: &RuleSet,
    rx: crossbeam_channel::Receiver<Input>,
    max_workers: usize,
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let started = std::time::Instant::now();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    }
    .min(max_workers);
    let results: Vec<(Worker<'_>, Stats, Vec<InputError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut w = Worker::new(set, opts);
                    let mut stats = Stats::default();
                    let mut errors = Vec::new();
                    for input in rx.iter() {
                        let name: Arc<str> = Arc::from(input.display());
                        let (before_no_time, before_bad) = (w.no_time, w.not_object);
                        w.first_no_time = None;
                        let rep = source::read_records(&input, &mut |raw, pos| {
                            w.item(raw, &name, pos.line)
                        });
                        stats.files += 1;
                        stats.bytes += rep.bytes;
                        progress(rep.bytes);
                        let path = name.to_string();
                        let mut err = |reason: String| {
                            errors.push(InputError {
                                path: path.clone(),
                                reason,
                            })
                        };
                        if let Some(f) = rep.failed {
                            err(f);
                        }
                        if let Some(m) = rep.first_malformed {
                            err(if rep.malformed > 1 {
                                format!("{} malformed JSON values; the first: {m}", rep.malformed)
                            } else {
                                m
                            });
                        }
                        if let Some(f) = rep.first_foreign {
                            err(if rep.foreign > 1 {
                                format!("{} values are not CloudTrail; the first: {f}", rep.foreign)
                            } else {
                                f
                            });
                        }
                        let no_time = w.no_time - before_no_time;
                        if no_time > 0 {
                            err(format!(
                                "{no_time} record(s) without a valid eventTime were not evaluated; the first{}",
                                w.first_no_time.take().unwrap_or_default()
                            ));
                        }
                        let bad = w.not_object - before_bad;
                        if bad > 0 {
                            err(format!("{bad} record(s) are not JSON objects"));
                        }
                    }
                    (w, stats, errors)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut stats = Stats::default();
    let mut errors = Vec::new();
    let mut workers = Vec::new();
    for (w, s, e) in results {
        stats.files += s.files;
        stats.bytes += s.bytes;
        errors.extend(e);
        workers.push(w);
    }
    let mut out = finish(set, workers, stats, errors);
    out.stats.seconds = started.elapsed().as_secs_f64();
    out
}

fn finish(
    set: &RuleSet,
    workers: Vec<Worker<'_>>,
    mut stats: Stats,
    errors: Vec<InputError>,
) -> Outcome {
    let mut alerts = Vec::new();
    let mut hits = Vec::new();
    for w in workers {
        stats.records += w.records;
        stats.filtered += w.filtered;
        stats.bad_records += w.no_time + w.not_object;
        alerts.extend(w.alerts);
        hits.extend(w.hits);
    }
    for f in Correlator::run(set, hits) {
        let plan = &set.corrs[f.corr];
        alerts.push(alert::correlation_alert(
            &set.rules[plan.rule],
            &f.group,
            &f.events,
        ));
    }
    alerts.sort_by(|a, b| {
        a.properties
            .get("event_time")
            .cmp(&b.properties.get("event_time"))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    let mut errors = errors;
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    Outcome {
        alerts,
        stats,
        errors,
    }
}
