//! `keyward audit`: collect (or load) the account snapshot, run the checks, score, report.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use keyward_audit::snapshot::FileProblem;
use keyward_audit::{catalog, CheckMeta, Outcome, Settings, Snapshot, Status};
use keyward_core::{Finding, Lang};
use keyward_report::Options;
use serde_json::{json, Value};

use crate::cli::{lang, AuditArgs, AuditFormat, Global};
use crate::exit::Code;
use crate::output::{color_enabled, emit, severity_line};

/// `2026-11-01` (midnight UTC) or an RFC 3339 time.
pub fn parse_date(s: &str) -> Result<jiff::Timestamp, String> {
    keyward_audit::check::parse_aws_time(s)
        .ok_or_else(|| format!("{s:?} is not a date: use 2026-11-01 or 2026-11-01T09:00:00Z"))
}

fn selected(patterns: &[String], id: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => p == id,
        })
}

/// One account's audit, ready to render.
struct Audited {
    doc: Value,
    findings: Vec<Finding>,
    score: keyward_audit::Score,
    gaps: usize,
    /// Failed calls and unreadable files: inputs that could not be read.
    unread: bool,
    problems: Vec<(String, String)>,
}

fn evaluate(
    snap: &Snapshot,
    problems: Vec<FileProblem>,
    source: &str,
    args: &AuditArgs,
    metas: &[&CheckMeta],
    language: Lang,
) -> Audited {
    let now = args.as_of.unwrap_or_else(jiff::Timestamp::now);
    let settings = Settings::default();
    let outcomes = keyward_audit::audit(snap, &settings, now, |id| selected(&args.checks, id));
    let by_id: BTreeMap<&str, &CheckMeta> = metas.iter().map(|m| (m.id.as_str(), *m)).collect();
    let account = snap.account_id().unwrap_or_default();
    let findings: Vec<Finding> = outcomes
        .iter()
        .filter(|o| o.status == Status::Failed)
        .filter_map(|o| {
            Some(keyward_audit::finding(
                by_id.get(o.check)?,
                o,
                &account,
                language,
            ))
        })
        .collect();
    let score = keyward_audit::score(metas, &outcomes);
    let doc = document(
        metas, &outcomes, &findings, &score, &account, now, source, language,
    );
    let gaps: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status == Status::NotEvaluated)
        .collect();
    // A file simply absent from a hand-made folder is not an input we failed to read.
    let unread = !problems.is_empty() || gaps.iter().any(|g| !g.detail.ends_with("not collected"));
    Audited {
        doc,
        findings,
        score,
        gaps: gaps.len(),
        unread,
        problems: problems.into_iter().map(|p| (p.path, p.reason)).collect(),
    }
}

pub fn run(global: &Global, args: AuditArgs) -> Result<Code> {
    let language = lang(global);
    let all_metas = catalog().map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(bad) = args.checks.iter().find(|p| {
        !all_metas
            .iter()
            .any(|m| selected(std::slice::from_ref(p), &m.id))
    }) {
        bail!("no check matches --check {bad} (`keyward rules list --kind audit` lists the ids)");
    }
    let metas: Vec<&CheckMeta> = all_metas
        .iter()
        .filter(|m| selected(&args.checks, &m.id))
        .collect();
    let started = Instant::now();
    // (snapshot, file problems, source) per account; accounts that could not be reached.
    let mut snaps: Vec<(Snapshot, Vec<FileProblem>, String)> = Vec::new();
    let mut unreachable: Vec<(String, String)> = Vec::new();
    match (&args.from, &args.role) {
        (Some(dir), _) => {
            let (snap, problems) = Snapshot::load(dir)
                .with_context(|| format!("cannot read the snapshot folder {}", dir.display()))?;
            if snap == Snapshot::default() {
                bail!(
                    "{} holds no snapshot file (expected names such as iam-get-account-authorization-details.json; see `keyward audit --help`)",
                    dir.display()
                );
            }
            snaps.push((snap, problems, dir.display().to_string()));
        }
        (None, Some(role)) if args.org => {
            for r in collect_org(&args, role)? {
                match r {
                    Ok(snap) => snaps.push((snap, Vec::new(), "live".to_string())),
                    Err(e) => unreachable.push(e),
                }
            }
        }
        _ => snaps.push((collect(&args)?, Vec::new(), "live".to_string())),
    }
    let org = args.org;
    let mut audited = Vec::new();
    for (snap, problems, source) in snaps {
        for p in &problems {
            eprintln!("keyward: cannot read {}: {}", p.path, p.reason);
        }
        if let Some(dir) = &args.save {
            let dir = if org {
                dir.join(snap.account_id().unwrap_or_else(|| "unknown".into()))
            } else {
                dir.clone()
            };
            snap.save(&dir)
                .with_context(|| format!("cannot save the snapshot to {}", dir.display()))?;
            if !args.quiet {
                eprintln!(
                    "Saved the snapshot to {} (audit it again with --from).",
                    dir.display()
                );
            }
        }
        audited.push(evaluate(&snap, problems, &source, &args, &metas, language));
    }
    for (account, e) in &unreachable {
        eprintln!("keyward: account {account} not audited: {e}");
    }
    let ropts = Options {
        show_secrets: false,
        color: color_enabled(global.color, args.output.is_some()),
    };
    let all_findings: Vec<Finding> = audited.iter().flat_map(|a| a.findings.clone()).collect();
    let text = match args.format {
        AuditFormat::Table => audited
            .iter()
            .map(|a| {
                let table = keyward_report::audit_table(&a.doc, ropts, language);
                if org {
                    format!(
                        "Account {}\n{table}",
                        a.doc["account_id"].as_str().unwrap_or("?")
                    )
                } else {
                    table
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        AuditFormat::Json if org => {
            let accounts: Vec<&Value> = audited.iter().map(|a| &a.doc).collect();
            let not_audited: Vec<Value> = unreachable
                .iter()
                .map(|(a, e)| json!({"account_id": a, "reason": e}))
                .collect();
            serde_json::to_string_pretty(&json!({
                "tool": "keyward",
                "version": env!("CARGO_PKG_VERSION"),
                "organization": {"accounts": accounts.len(), "not_audited": not_audited},
                "accounts": accounts,
            }))? + "\n"
        }
        AuditFormat::Json => match audited.first() {
            Some(a) => serde_json::to_string_pretty(&a.doc)? + "\n",
            None => String::new(),
        },
        AuditFormat::Jsonl => keyward_report::jsonl(&all_findings, ropts),
        AuditFormat::Sarif => {
            let rule_metas: Vec<_> = metas.iter().map(|m| m.rule_meta(language)).collect();
            let errs: Vec<(String, String)> = audited
                .iter()
                .flat_map(|a| a.problems.clone())
                .chain(unreachable.iter().cloned())
                .collect();
            serde_json::to_string_pretty(&keyward_report::sarif(
                &all_findings,
                &rule_metas,
                &errs,
                ropts,
            ))? + "\n"
        }
        AuditFormat::Asff => merged(audited.iter().map(|a| keyward_report::asff(&a.doc)))?,
        AuditFormat::Ocsf => merged(audited.iter().map(|a| keyward_report::ocsf(&a.doc)))?,
    };
    emit(&text, args.output.as_deref()).context("writing the report")?;
    if let Some(path) = &args.html {
        for a in &audited {
            let path = if org {
                per_account(path, a.doc["account_id"].as_str().unwrap_or("unknown"))
            } else {
                path.clone()
            };
            emit(&keyward_report::audit_html(&a.doc, language), Some(&path))
                .with_context(|| format!("writing the HTML report {}", path.display()))?;
        }
    }
    if !args.quiet {
        for a in &audited {
            if org {
                eprint!("{}: ", a.doc["account_id"].as_str().unwrap_or("?"));
            }
            eprint!(
                "{}",
                summary(
                    &a.score,
                    &a.findings,
                    a.gaps,
                    started.elapsed().as_secs_f64(),
                    language
                )
            );
        }
    }
    let unread = !unreachable.is_empty() || audited.iter().any(|a| a.unread);
    Ok(if all_findings.iter().any(|f| f.severity >= args.fail_on) {
        Code::Findings
    } else if unread {
        Code::Partial
    } else {
        Code::Clean
    })
}

/// `report.html` for account 123 becomes `report-123.html`.
fn per_account(path: &std::path::Path, account: &str) -> std::path::PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{account}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{account}"),
    };
    path.with_file_name(name)
}

/// ASFF (`{"Findings": [...]}`) or OCSF (`[...]`) documents of several accounts as one.
fn merged(docs: impl Iterator<Item = Value>) -> Result<String> {
    let mut findings = Vec::new();
    let mut asff = false;
    for d in docs {
        match d {
            Value::Array(items) => findings.extend(items),
            Value::Object(mut o) => {
                asff = true;
                if let Some(Value::Array(items)) = o.remove("Findings") {
                    findings.extend(items);
                }
            }
            _ => {}
        }
    }
    let doc = if asff {
        json!({ "Findings": findings })
    } else {
        Value::Array(findings)
    };
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

fn endpoint(args: &AuditArgs) -> keyward_aws::Endpoint {
    keyward_aws::Endpoint {
        profile: args.profile.clone(),
        region: args.region.first().cloned(),
        endpoint_url: args.endpoint_url.clone(),
    }
}

/// One account's snapshot through `conf`, in the regions the flags name.
async fn collect_with(
    conf: &keyward_aws::SdkConfig,
    args: &AuditArgs,
    bar: &indicatif::ProgressBar,
) -> Snapshot {
    let regions = if args.all_regions {
        keyward_aws::collect::default_regions()
    } else if !args.region.is_empty() {
        args.region.clone()
    } else {
        conf.region()
            .map(|r| vec![r.to_string()])
            .unwrap_or_default()
    };
    let opts = keyward_aws::collect::CollectOptions {
        regions,
        concurrency: args.concurrency.max(1),
    };
    let tick = |label: &str| {
        bar.inc(1);
        bar.set_message(label.to_string());
    };
    keyward_aws::collect::collect_snapshot(conf, &opts, &tick).await
}

fn collect(args: &AuditArgs) -> Result<Snapshot> {
    let ep = endpoint(args);
    let bar = crate::output::count_bar(args.quiet, "AWS calls");
    let snap = crate::runtime()?.block_on(async {
        let conf = keyward_aws::load_config(&ep).await;
        collect_with(&conf, args, &bar).await
    });
    bar.finish_and_clear();
    if let keyward_audit::Answer::Failed(e) = &snap.caller {
        // Without an identity nothing else worked either: say why once, plainly.
        bail!(
            "cannot reach AWS with these credentials: {}: {} (check --profile, AWS_PROFILE or `aws sts get-caller-identity`)",
            e.code,
            e.message
        );
    }
    Ok(snap)
}

/// Every active account of the organization, through `role` in each (the management account
/// included): a snapshot, or the account and why it could not be read.
type OrgSnapshots = Vec<std::result::Result<Snapshot, (String, String)>>;

fn collect_org(args: &AuditArgs, role: &str) -> Result<OrgSnapshots> {
    let ep = endpoint(args);
    let bar = crate::output::count_bar(args.quiet, "AWS calls");
    let out = crate::runtime()?.block_on(async {
        let conf = keyward_aws::load_config(&ep).await;
        let (_, arn) = keyward_aws::org::caller(&conf)
            .await
            .map_err(|e| anyhow::anyhow!("cannot reach AWS with these credentials: {e}"))?;
        let accounts = keyward_aws::org::org_accounts(&conf)
            .await
            .map_err(|e| anyhow::anyhow!("cannot list the organization's accounts: {e}"))?;
        let partition = keyward_aws::org::partition(&arn).to_string();
        let mut out: OrgSnapshots = Vec::new();
        for (id, _name) in accounts {
            match keyward_aws::org::assume_role(&conf, &partition, &id, role).await {
                Ok(member) => {
                    let snap = collect_with(&member, args, &bar).await;
                    match &snap.caller {
                        keyward_audit::Answer::Failed(e) => {
                            out.push(Err((id, format!("{}: {}", e.code, e.message))))
                        }
                        _ => out.push(Ok(snap)),
                    }
                }
                Err(e) => out.push(Err((id, e))),
            }
        }
        anyhow::Ok(out)
    })?;
    bar.finish_and_clear();
    Ok(out)
}

/// The report as one JSON document: what `--format json` prints and what the table, HTML,
/// ASFF and OCSF renderers read.
#[allow(clippy::too_many_arguments)]
fn document(
    metas: &[&CheckMeta],
    outcomes: &[Outcome],
    findings: &[Finding],
    score: &keyward_audit::Score,
    account: &str,
    now: jiff::Timestamp,
    source: &str,
    language: Lang,
) -> Value {
    let ropts = Options::default();
    let checks: Vec<Value> = metas
        .iter()
        .map(|m| {
            let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.check == m.id).collect();
            let count = |s: Status| mine.iter().filter(|o| o.status == s).count();
            let status = if count(Status::Failed) > 0 {
                "FAILED"
            } else if count(Status::Passed) > 0 {
                "PASSED"
            } else if count(Status::NotEvaluated) > 0 {
                "NOT_EVALUATED"
            } else {
                "NOT_APPLICABLE"
            };
            json!({
                "id": m.id,
                "title": m.title.get(language),
                "severity": m.severity,
                "service": m.service,
                "status": status,
                "passed": count(Status::Passed),
                "failed": count(Status::Failed),
                "not_evaluated": count(Status::NotEvaluated),
                "rationale": m.rationale.get(language),
                "remediation": m.remediation.get(language),
                "references": m.references,
            })
        })
        .collect();
    let titles: BTreeMap<&str, &str> = metas
        .iter()
        .map(|m| (m.id.as_str(), m.title.get(language)))
        .collect();
    let not_evaluated: Vec<Value> = outcomes
        .iter()
        .filter(|o| o.status == Status::NotEvaluated)
        .map(|o| {
            json!({
                "check": o.check,
                "title": titles.get(o.check),
                "resource": o.resource,
                "region": o.region,
                "reason": o.detail,
            })
        })
        .collect();
    json!({
        "tool": "keyward",
        "version": env!("CARGO_PKG_VERSION"),
        "account_id": account,
        "as_of": now.to_string(),
        "source": source,
        "lang": if language == Lang::Ja { "ja" } else { "en" },
        "score": score,
        "checks": checks,
        "findings": findings.iter().map(|f| keyward_report::finding_json(f, ropts)).collect::<Vec<_>>(),
        "not_evaluated": not_evaluated,
        "outcomes": outcomes,
    })
}

fn summary(
    score: &keyward_audit::Score,
    findings: &[Finding],
    gaps: usize,
    seconds: f64,
    language: Lang,
) -> String {
    let ja = language == Lang::Ja;
    let pct = score
        .percent
        .map(|p| format!("{p:.0}%"))
        .unwrap_or_else(|| "-".into());
    let mut s = if ja {
        format!(
            "スコア {pct}（合格 {} / 評価 {} コントロール、未評価 {}、対象なし {}）、{seconds:.2} 秒。\n",
            score.passed,
            score.passed + score.failed,
            score.not_evaluated,
            score.not_applicable
        )
    } else {
        format!(
            "Score {pct} ({} of {} evaluated controls passed; {} not evaluated, {} with nothing to check) in {seconds:.2} s.\n",
            score.passed,
            score.passed + score.failed,
            score.not_evaluated,
            score.not_applicable
        )
    };
    s += &severity_line(
        findings,
        language,
        ("Failed", "不合格"),
        ("No failed checks.", "不合格のチェックはありません。"),
    );
    if gaps > 0 {
        s += &if ja {
            format!("評価できなかった項目: {gaps} 件（理由は表を参照）。\n")
        } else {
            format!("Not evaluated: {gaps} (reasons in the report).\n")
        };
    }
    s
}
