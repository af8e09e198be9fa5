//! `keyward scan`: resolve settings, run the chosen source, apply baselines, verify, report.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use keyward_core::{Finding, Lang, RuleMeta};
use keyward_report::Options;
use keyward_secrets::{git, walk, Matcher, Outcome, ScanOptions};
use serde_json::json;

use crate::cli::{lang, FormatArg, Global, ScanArgs};
use crate::config::Config;
use crate::exit::Code;
use crate::output::{by_severity, color_enabled, emit, progress_bar, severity_line};
use crate::{baseline, exit};

pub fn run(global: &Global, args: ScanArgs) -> Result<Code> {
    let config = Config::load(args.config.as_deref())?;
    let rules = keyward_secrets::rules::bundled().context("bundled rules")?;
    let known: Vec<&str> = rules.iter().map(|r| r.def.id.as_str()).collect();
    config.check_rule_ids(&known)?;
    let off: Vec<String> = config
        .scan
        .exclude_rules
        .iter()
        .map(|r| r.get_ref().clone())
        .collect();
    let matcher = Matcher::new(rules)?.retain(|r| !off.contains(&r.def.id))?;
    let opts = ScanOptions {
        max_file_size: args
            .max_file_size
            .or(config.max_file_size()?)
            .unwrap_or(ScanOptions::default().max_file_size),
        follow_links: args.follow,
        threads: args.threads.unwrap_or(0),
        exclude: config.exclude_globs()?,
    };
    let fail_on = config.scan.fail_on.unwrap_or(args.fail_on);
    let baseline = match &args.baseline {
        Some(p) => Some(baseline::read(p)?),
        None => None,
    };

    let progress = progress_bar(args.quiet, "scanned");
    let tick = |n: u64| progress.inc(n);
    let started = Instant::now();
    let mut outcome = Outcome::default();
    for path in &args.paths {
        if (args.git || args.staged) && !path.is_dir() {
            bail!(
                "{}: --git and --staged take a repository directory",
                path.display()
            );
        }
        let part = if args.git {
            git::scan_history(&matcher, path, args.since.as_deref(), &opts, &tick)?
        } else if args.staged {
            git::scan_staged(&matcher, path, &opts, &tick)?
        } else {
            continue;
        };
        outcome.merge(part);
    }
    if !args.git && !args.staged {
        outcome = walk::scan_paths(&matcher, &args.paths, &opts, &tick);
    }
    let elapsed = started.elapsed();
    progress.finish_and_clear();

    let mut baselined = 0u64;
    if let Some(known) = &baseline {
        outcome.findings.retain(|f| {
            let keep = !known.contains(&f.fingerprint);
            baselined += u64::from(!keep);
            keep
        });
    }
    sort_findings(&mut outcome.findings);

    if let Some(path) = &args.write_baseline {
        baseline::write(path, &outcome.findings)?;
        if !args.quiet {
            eprintln!(
                "keyward: wrote a baseline of {} findings to {}",
                outcome.findings.len(),
                path.display()
            );
        }
        return Ok(Code::Clean);
    }

    if args.verify {
        verify(&args, &mut outcome.findings)?;
    }

    for e in &outcome.errors {
        eprintln!("keyward: cannot read {}: {}", e.path, e.reason);
    }
    let summary = summary_json(&outcome, elapsed, baselined);
    let ropts = Options {
        show_secrets: args.show_secrets,
        color: color_enabled(global.color, args.output.is_some()),
    };
    let metas: Vec<RuleMeta> = matcher.rules().iter().map(|r| r.meta.clone()).collect();
    let text = match args.format {
        FormatArg::Table if outcome.findings.is_empty() => String::new(),
        FormatArg::Table => keyward_report::table(&outcome.findings, ropts),
        FormatArg::Json => {
            let doc = keyward_report::json_document(&outcome.findings, summary.clone(), ropts);
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        FormatArg::Jsonl => keyward_report::jsonl(&outcome.findings, ropts),
        FormatArg::Sarif => {
            let errors: Vec<(String, String)> = outcome
                .errors
                .iter()
                .map(|e| (e.path.clone(), e.reason.clone()))
                .collect();
            let doc = keyward_report::sarif(&outcome.findings, &metas, &errors, ropts);
            serde_json::to_string_pretty(&doc)? + "\n"
        }
    };
    emit(&text, args.output.as_deref())?;
    if !args.quiet {
        eprint!(
            "{}",
            summary_text(&outcome, elapsed, baselined, lang(global))
        );
    }

    Ok(if outcome.findings.iter().any(|f| f.severity >= fail_on) {
        exit::Code::Findings
    } else if !outcome.errors.is_empty() {
        exit::Code::Partial
    } else {
        exit::Code::Clean
    })
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.path.cmp(&b.location.path))
            .then_with(|| a.location.line.cmp(&b.location.line))
            .then_with(|| a.location.column.cmp(&b.location.column))
    });
}

fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    let s = elapsed.as_secs_f64().max(1e-6);
    bytes as f64 / 1e6 / s
}

fn summary_json(o: &Outcome, elapsed: Duration, baselined: u64) -> serde_json::Value {
    json!({
        "files": o.stats.files,
        "bytes": o.stats.bytes,
        "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        "mb_per_s": (mb_per_s(o.stats.bytes, elapsed) * 10.0).round() / 10.0,
        "skipped": o.stats.skipped,
        "examples": o.stats.examples,
        "allowed": o.stats.allowed,
        "baselined": baselined,
        "findings": by_severity(&o.findings),
        "errors": o.errors,
    })
}

fn summary_text(o: &Outcome, elapsed: Duration, baselined: u64, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let s = &o.stats;
    let (mb, secs, rate) = (
        s.bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        mb_per_s(s.bytes, elapsed),
    );
    let mut out = if ja {
        format!(
            "{} ファイル（{mb:.1} MB）を {secs:.2} 秒で走査しました（{rate:.1} MB/s）。\n",
            s.files
        )
    } else {
        format!(
            "Scanned {} files, {mb:.1} MB in {secs:.2} s ({rate:.1} MB/s).\n",
            s.files
        )
    };
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} {}", r.describe(lang)))
            .collect();
        out += &if ja {
            format!("スキップ: {}。\n", parts.join("、"))
        } else {
            format!("Skipped: {}.\n", parts.join(", "))
        };
    }
    out += &severity_line(
        &o.findings,
        lang,
        ("Findings", "検出"),
        ("No secrets found.", "シークレットは見つかりませんでした。"),
    );
    let mut notes = Vec::new();
    if s.examples > 0 {
        notes.push(if ja {
            format!(
                "ドキュメント記載の例示用認証情報 {} 件（漏えいではありません）",
                s.examples
            )
        } else {
            format!("{} documented example credentials (not leaks)", s.examples)
        });
    }
    if s.allowed > 0 {
        notes.push(if ja {
            format!("keyward:allow による許可 {} 件", s.allowed)
        } else {
            format!("{} allowed by keyward:allow", s.allowed)
        });
    }
    if baselined > 0 {
        notes.push(if ja {
            format!("ベースライン登録済み {baselined} 件")
        } else {
            format!("{baselined} in the baseline")
        });
    }
    if !notes.is_empty() {
        out += &if ja {
            format!("報告対象外: {}。\n", notes.join("、"))
        } else {
            format!("Not reported: {}.\n", notes.join(", "))
        };
    }
    if !o.errors.is_empty() {
        out += &if ja {
            format!(
                "{} 件の入力を読み取れませんでした（上記参照）。それ以外は走査済みです。\n",
                o.errors.len()
            )
        } else {
            format!(
                "Could not read {} inputs (listed above); the rest was scanned.\n",
                o.errors.len()
            )
        };
    }
    out
}

/// Calls sts:GetCallerIdentity with each found key pair, once per pair.
fn verify(args: &ScanArgs, findings: &mut [Finding]) -> Result<()> {
    let ep = keyward_aws::Endpoint {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut cache: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in findings.iter_mut() {
        let (Some(secret), Some(key_id)) = (&f.secret, &f.companion) else {
            continue;
        };
        let key = (key_id.expose().to_string(), secret.expose().to_string());
        let verdict = match cache.get(&key) {
            Some(v) => v.clone(),
            None => {
                let v = if key.0.starts_with("ASIA") {
                    "not checked: a temporary key needs its session token".to_string()
                } else {
                    match rt.block_on(keyward_aws::verify_key(&ep, &key.0, &key.1, None)) {
                        keyward_aws::Liveness::Live { arn, .. } => format!("live ({arn})"),
                        keyward_aws::Liveness::Rejected { code, .. } => {
                            format!("rejected ({code})")
                        }
                        keyward_aws::Liveness::Unknown { reason } => {
                            format!("unknown ({reason})")
                        }
                    }
                };
                cache.insert(key, v.clone());
                v
            }
        };
        f.properties.insert("verified".into(), verdict);
    }
    Ok(())
}
