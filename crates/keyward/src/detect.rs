//! `keyward detect`: Sigma rules over CloudTrail files and trees.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use keyward_core::{Finding, Lang, RuleMeta, Text};
use keyward_detect::{Outcome, Rule, RuleSet};
use keyward_report::Options;
use serde_json::json;

use crate::cli::{lang, DetectArgs, FormatArg, Global};
use crate::exit::Code;
use crate::output::{by_severity, color_enabled, emit, progress_bar, severity_line};

/// The rule set a run uses: the bundled pack unless `--no-builtin`, plus `--rules` folders.
/// Rules that cannot load are returned as messages; the rest run.
pub fn rule_set(rules: &[std::path::PathBuf], no_builtin: bool) -> (RuleSet, Vec<String>) {
    let mut all = Vec::new();
    let mut problems = Vec::new();
    if !no_builtin {
        let (r, e) = keyward_detect::builtin_rules();
        all.extend(r);
        problems.extend(e.iter().map(ToString::to_string));
    }
    for dir in rules {
        let (r, e) = keyward_detect::load_rules(dir);
        all.extend(r);
        problems.extend(e.iter().map(ToString::to_string));
    }
    let (set, e) = RuleSet::new(all);
    problems.extend(e.iter().map(ToString::to_string));
    (set, problems)
}

/// `2026-11-01`, `2026-11-01T09:00:00Z`, `2026-11-01T18:00:00+09:00`, or an age: `30m`, `24h`,
/// `7d` (before now).
pub fn parse_when(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Some(secs) = keyward_detect::parse_duration(t) {
        return Ok(jiff::Timestamp::now().as_second() - secs);
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        if let Ok(z) = d.to_zoned(jiff::tz::TimeZone::UTC) {
            return Ok(z.timestamp().as_second());
        }
    }
    Err(format!(
        "{s:?} is not a time: use 2026-11-01, 2026-11-01T09:00:00Z, or an age such as 24h or 7d"
    ))
}

/// Rule metadata for reports, from a Sigma rule (SigmaHQ rules have no remediation; their
/// description serves as rationale).
pub fn meta(r: &Rule) -> RuleMeta {
    let desc = r.info.description.clone().unwrap_or_default();
    let fallback = Text {
        en: desc.clone(),
        ja: desc,
    };
    RuleMeta {
        id: r.info.id.clone(),
        title: r.info.title.clone(),
        severity: r.info.level,
        rationale: r.info.rationale.clone().unwrap_or_else(|| fallback.clone()),
        remediation: r.info.remediation.clone().unwrap_or(Text {
            en: "Find out who made the call and whether it was expected; if not, contain the \
                 credentials used (keyward respond)."
                .into(),
            ja: "誰が呼び出したか、想定された操作かを確認し、想定外なら使われた認証情報を封じ込めてください（keyward respond）。"
                .into(),
        }),
        references: r.info.references.clone(),
    }
}

pub fn run(global: &Global, args: DetectArgs) -> Result<Code> {
    if args.paths.is_empty() {
        bail!("give CloudTrail files or folders to read (for example: keyward detect examples/cloudtrail)");
    }
    let (set, problems) = rule_set(&args.rules, args.no_builtin);
    for p in &problems {
        eprintln!("keyward: rule not loaded: {p}");
    }
    if set.rules.is_empty() {
        bail!("no rules to run");
    }
    let opts = keyward_detect::Options {
        since: args.since,
        until: args.until,
        threads: args.threads.unwrap_or(0),
        keep_events: args.include_events,
    };
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    let (urls, paths): (Vec<_>, Vec<_>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.to_string_lossy().starts_with("s3://"));
    let inputs = keyward_detect::source::expand(&paths, &mut skipped, &mut errors);
    let progress = progress_bar(args.quiet, "read");
    let tick = |bytes: u64| progress.inc(bytes);
    let mut outcome = if urls.is_empty() {
        keyward_detect::run(&set, &inputs, &opts, &tick)
    } else {
        let urls: Vec<String> = urls
            .iter()
            .map(|u| u.to_string_lossy().into_owned())
            .collect();
        let (o, s3_skipped, s3_errors) = with_s3(&args, &urls, inputs, &set, &opts, &tick)?;
        skipped.extend(s3_skipped);
        errors.extend(s3_errors);
        o
    };
    progress.finish_and_clear();
    outcome.errors.extend(errors);
    for (_, reason) in &skipped {
        *outcome.stats.skipped.entry(*reason).or_insert(0) += 1;
    }
    let language = lang(global);
    if language == Lang::Ja {
        localise(&set, &mut outcome.alerts);
    }
    for e in &outcome.errors {
        eprintln!("keyward: cannot read {}: {}", e.path, e.reason);
    }
    let ropts = Options {
        show_secrets: false,
        color: color_enabled(global.color, args.output.is_some()),
    };
    let summary = summary_json(&outcome, problems.len());
    let text = match args.format {
        FormatArg::Table if outcome.alerts.is_empty() => String::new(),
        FormatArg::Table => keyward_report::alerts_table(&outcome.alerts, ropts),
        FormatArg::Json => {
            let doc = keyward_report::json_document(&outcome.alerts, summary, ropts);
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        FormatArg::Jsonl => keyward_report::jsonl(&outcome.alerts, ropts),
        FormatArg::Sarif => {
            let metas: Vec<RuleMeta> = set.rules.iter().map(meta).collect();
            let errs: Vec<(String, String)> = outcome
                .errors
                .iter()
                .map(|e| (e.path.clone(), e.reason.clone()))
                .collect();
            let doc = keyward_report::sarif(&outcome.alerts, &metas, &errs, ropts);
            serde_json::to_string_pretty(&doc)? + "\n"
        }
    };
    emit(&text, args.output.as_deref()).context("writing the report")?;
    if !args.quiet {
        eprint!("{}", summary_text(&outcome, language));
    }
    Ok(
        if outcome.alerts.iter().any(|a| a.severity >= args.fail_on) {
            Code::Findings
        } else if !outcome.errors.is_empty() || !problems.is_empty() {
            Code::Partial
        } else {
            Code::Clean
        },
    )
}

type S3Result = (
    Outcome,
    Vec<(String, keyward_detect::source::SkipReason)>,
    Vec<keyward_detect::source::InputError>,
);

/// Local inputs and S3 objects through one bounded channel: objects are fetched while earlier
/// ones are evaluated, and at most a few dozen are held in memory at once.
fn with_s3(
    args: &DetectArgs,
    urls: &[String],
    local: Vec<keyward_detect::source::Input>,
    set: &RuleSet,
    opts: &keyward_detect::Options,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<S3Result> {
    use keyward_detect::source::{wanted_key, Input, InputError};
    let mut targets = Vec::new();
    for u in urls {
        match keyward_aws::s3::parse_url(u) {
            Some(t) => targets.push(t),
            None => bail!("{u} is not an S3 location: use s3://bucket/prefix"),
        }
    }
    let ep = keyward_aws::Endpoint {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let rt = crate::runtime()?;
    let (tx, rx) = crossbeam_channel::bounded::<Input>(32);
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    let outcome = std::thread::scope(|s| {
        let producer = s.spawn(|| {
            for i in local {
                let _ = tx.send(i);
            }
            rt.block_on(async {
                let conf = keyward_aws::load_config(&ep).await;
                for (bucket, prefix) in &targets {
                    let client = keyward_aws::s3::client(&conf, bucket).await;
                    let keys = match keyward_aws::s3::list(&client, bucket, prefix).await {
                        Ok(k) => k,
                        Err(reason) => {
                            errors.push(InputError {
                                path: format!("s3://{bucket}/{prefix}"),
                                reason,
                            });
                            continue;
                        }
                    };
                    let mut wanted = Vec::new();
                    for k in keys {
                        match wanted_key(&k) {
                            Ok(()) => wanted.push(k),
                            Err(r) => skipped.push((format!("s3://{bucket}/{k}"), r)),
                        }
                    }
                    let mut each = |name: String, got: Result<Vec<u8>, String>| match got {
                        Ok(data) => {
                            let _ = tx.send(Input::Fetched {
                                name,
                                data: data.into(),
                            });
                        }
                        Err(reason) => errors.push(InputError { path: name, reason }),
                    };
                    keyward_aws::s3::fetch_each(
                        &client,
                        bucket,
                        wanted,
                        args.s3_concurrency,
                        &mut each,
                    )
                    .await;
                }
            });
            drop(tx);
        });
        let outcome = keyward_detect::run_stream(set, rx, opts, tick);
        let _ = producer.join();
        outcome
    });
    Ok((outcome, skipped, errors))
}

fn localise(set: &RuleSet, alerts: &mut [Finding]) {
    let ja: BTreeMap<&str, &str> = set
        .rules
        .iter()
        .filter_map(|r| Some((r.info.id.as_str(), r.info.title_ja.as_deref()?)))
        .collect();
    for a in alerts {
        if let Some(t) = ja.get(a.rule_id.as_str()) {
            a.title = t.to_string();
        }
    }
}

fn summary_json(o: &Outcome, rule_problems: usize) -> serde_json::Value {
    let s = &o.stats;
    let skipped: BTreeMap<&str, u64> = s.skipped.iter().map(|(r, n)| (r.describe(), *n)).collect();
    json!({
        "files": s.files,
        "bytes": s.bytes,
        "records": s.records,
        "filtered": s.filtered,
        "bad_records": s.bad_records,
        "seconds": (s.seconds * 1000.0).round() / 1000.0,
        "mb_per_s": (s.bytes as f64 / 1e6 / s.seconds.max(1e-6) * 10.0).round() / 10.0,
        "skipped": skipped,
        "alerts": by_severity(&o.alerts),
        "rules_not_loaded": rule_problems,
        "errors": o.errors.iter().map(|e| json!({"path": e.path, "reason": e.reason})).collect::<Vec<_>>(),
    })
}

fn summary_text(o: &Outcome, lang: Lang) -> String {
    let s = &o.stats;
    let ja = lang == Lang::Ja;
    let rate = s.bytes as f64 / 1e6 / s.seconds.max(1e-6);
    let mut out = if ja {
        format!(
            "{} ファイル、{} イベント（{:.1} MB）を {:.2} 秒で評価しました（{rate:.1} MB/s）。\n",
            s.files,
            s.records,
            s.bytes as f64 / 1e6,
            s.seconds
        )
    } else {
        format!(
            "Read {} files, {} events ({:.1} MB) in {:.2} s ({rate:.1} MB/s).\n",
            s.files,
            s.records,
            s.bytes as f64 / 1e6,
            s.seconds
        )
    };
    if s.filtered > 0 {
        out += &if ja {
            format!("期間外のイベント {} 件を除外しました。\n", s.filtered)
        } else {
            format!(
                "{} events outside --since/--until were left out.\n",
                s.filtered
            )
        };
    }
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} {}", r.describe()))
            .collect();
        out += &format!(
            "{}: {}.\n",
            if ja { "スキップ" } else { "Skipped" },
            parts.join(", ")
        );
    }
    out += &severity_line(
        &o.alerts,
        lang,
        ("Alerts", "アラート"),
        ("No alerts.", "アラートはありません。"),
    );
    if !o.errors.is_empty() {
        out += &if ja {
            format!("読めなかった入力: {} 件（上記参照）。\n", o.errors.len())
        } else {
            format!("Inputs with problems: {} (see above).\n", o.errors.len())
        };
    }
    out
}
