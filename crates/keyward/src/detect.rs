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
    let inputs = keyward_detect::source::expand(&args.paths, &mut skipped, &mut errors);
    let progress = progress_bar(args.quiet, "read");
    let tick = |bytes: u64| progress.inc(bytes);
    let mut outcome = keyward_detect::run(&set, &inputs, &opts, &tick);
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
