//! `keyward rotate plan|apply`: resolve flags and `[rotate]`, open the state file, run the
//! rotation per account (or per organization member), notify owners, report.
//!
//! `KEYWARD_ROTATE_STOP_AFTER=N` is a test hook: the process exits (code 86) right after the
//! N-th call that changes the account, before that change is journaled, as a crash would
//! leave it. The crash tests in `tests/rotate.rs` use it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use keyward_aws::rotate::{ChangeHook, RotateOptions};
use keyward_rotate::journal::Journal;
use keyward_rotate::report::{AccountReport, UserReport};
use keyward_rotate::{secret, Lifecycle, Step};
use serde_json::json;

use crate::cli::{Global, RotateCmd, RotateFormat};
use crate::config::{Config, DaysValue};
use crate::exit::Code;
use crate::notify::{Channels, Sent};
use crate::output::emit;

const STOP_AFTER_ENV: &str = "KEYWARD_ROTATE_STOP_AFTER";
const STOP_EXIT: i32 = 86;

fn default_state() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")));
    match base {
        Some(b) => b.join("keyward/rotate-state.json"),
        None => PathBuf::from("keyward-rotate-state.json"),
    }
}

fn days(flag: Option<i64>, conf: &Option<DaysValue>, default: i64) -> Result<i64> {
    match (flag, conf) {
        (Some(d), _) => Ok(d),
        (None, Some(v)) => v.days().context("keyward.toml [rotate]"),
        (None, None) => Ok(default),
    }
}

pub fn run(_global: &Global, cmd: RotateCmd) -> Result<Code> {
    let (args, apply) = match cmd {
        RotateCmd::Plan(a) => (a, false),
        RotateCmd::Apply(a) => (a, true),
    };
    let config = Config::load(args.config.as_deref())?;
    let rc = &config.rotate;
    let defaults = Lifecycle::default();
    let lifecycle = Lifecycle {
        create_after_days: days(
            args.create_after,
            &rc.create_after,
            defaults.create_after_days,
        )?,
        deactivate_after_days: days(
            args.deactivate_after,
            &rc.deactivate_after,
            defaults.deactivate_after_days,
        )?,
        delete_after_days: days(
            args.delete_after,
            &rc.delete_after,
            defaults.delete_after_days,
        )?,
        exempt_group: args
            .exempt_group
            .clone()
            .or_else(|| rc.exempt_group.clone())
            .unwrap_or(defaults.exempt_group),
        exempt_tag: args.exempt_tag.clone().or_else(|| rc.exempt_tag.clone()),
        deactivate_in_use: args.deactivate_in_use || rc.deactivate_in_use,
    };
    lifecycle.validate()?;
    let secret_name = args
        .secret_name
        .clone()
        .or_else(|| rc.secret_name.clone())
        .unwrap_or_else(|| secret::DEFAULT_NAME.to_string());
    secret::check_template(&secret_name)?;
    let mut readers = rc.readers.clone();
    readers.extend(args.readers.iter().cloned());
    let role = args.role.clone().or_else(|| rc.role.clone());
    if args.org && role.is_none() {
        bail!("--org needs --role NAME (the role to assume in each member account)");
    }
    let stop_after: Option<u32> = match std::env::var(STOP_AFTER_ENV) {
        Ok(v) => Some(
            v.parse()
                .with_context(|| format!("{STOP_AFTER_ENV}={v:?} is not a number"))?,
        ),
        Err(_) => None,
    };
    let on_change: Option<ChangeHook> = stop_after.map(|n| {
        Arc::new(move |i: u32, what: &str| {
            if i == n {
                eprintln!(
                    "keyward: {STOP_AFTER_ENV}={n}: stopping right after {what}, as a crash would"
                );
                std::process::exit(STOP_EXIT);
            }
        }) as ChangeHook
    });
    let now = args.as_of.unwrap_or_else(jiff::Timestamp::now).as_second();
    let opts = RotateOptions {
        lifecycle,
        secret_name,
        readers,
        kms_key_id: args.kms_key_id.clone().or_else(|| rc.kms_key_id.clone()),
        email_tag: args
            .email_tag
            .clone()
            .or_else(|| rc.email_tag.clone())
            .unwrap_or_else(|| "email".into()),
        concurrency: args.concurrency.max(1),
        proof_timeout: Duration::from_secs(args.proof_timeout),
        apply,
        now,
        on_change,
    };
    let state_path = args
        .state
        .clone()
        .or_else(|| rc.state.clone())
        .unwrap_or_else(default_state);
    let journal = Mutex::new(if apply {
        Journal::open(&state_path)?
    } else {
        Journal::read_only(&state_path)?
    });
    let channels = Channels {
        sns: args.notify_sns.clone().or_else(|| rc.sns_topic.clone()),
        slack: args.notify_slack.clone(),
        email_from: args
            .notify_email_from
            .clone()
            .or_else(|| rc.email_from.clone()),
    };

    let ep = keyward_aws::Endpoint {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let rt = crate::runtime()?;
    let bar = crate::output::count_bar(args.quiet, "users");
    let tick = || bar.inc(1);
    let (reports, sent) = rt.block_on(async {
        let conf = keyward_aws::load_config(&ep).await;
        let reports = match (&role, args.org) {
            (Some(role), true) => org_run(&conf, role, &opts, &journal, &tick).await,
            _ => vec![keyward_aws::rotate::rotate_account(&conf, &opts, &journal, &tick).await],
        };
        let sent = if apply {
            channels.send_all(&conf, &reports).await
        } else {
            Vec::new()
        };
        (reports, sent)
    });
    bar.finish_and_clear();

    let text = match args.format {
        RotateFormat::Json => {
            let doc = json!({
                "mode": if apply { "apply" } else { "plan" },
                "as_of": jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default(),
                "lifecycle": opts.lifecycle,
                "state_file": state_path.display().to_string(),
                "accounts": reports,
                "notifications": sent,
            });
            format!("{}\n", serde_json::to_string_pretty(&doc)?)
        }
        RotateFormat::Table => table(&reports, apply, &sent),
    };
    emit(&text, args.output.as_deref())?;

    let users: Vec<&UserReport> = reports.iter().flat_map(|a| &a.users).collect();
    let failed_steps = users
        .iter()
        .filter(|u| u.results.iter().any(|r| !r.ok))
        .count();
    let unread = users.iter().filter(|u| u.error.is_some()).count()
        + reports.iter().filter(|a| !a.errors.is_empty()).count();
    let failed_notices = sent.iter().filter(|s| !s.ok).count();
    if !args.quiet {
        let due = users.iter().filter(|u| !u.plan.steps.is_empty()).count();
        let exempt = users.iter().filter(|u| u.plan.exempt).count();
        let blocked = users.iter().filter(|u| u.plan.blocked).count();
        let done: usize = users
            .iter()
            .map(|u| u.results.iter().filter(|r| r.ok).count())
            .sum();
        eprintln!(
            "keyward: {} account(s), {} user(s): {due} due, {exempt} exempt, {blocked} need a person{}{}",
            reports.len(),
            users.len(),
            if apply {
                format!("; {done} step(s) done, {failed_steps} user(s) failed")
            } else {
                String::new()
            },
            if unread > 0 {
                format!("; {unread} could not be read")
            } else {
                String::new()
            },
        );
        for a in &reports {
            for e in &a.errors {
                eprintln!("keyward: account {}: {e}", display_account(a));
            }
        }
        for u in users.iter().filter(|u| u.error.is_some()) {
            eprintln!(
                "keyward: {}: {}",
                u.plan.arn,
                u.error.as_deref().unwrap_or_default()
            );
        }
        for s in sent.iter().filter(|s| !s.ok) {
            eprintln!("keyward: notice for {} not sent: {}", s.user, s.detail);
        }
    }
    Ok(if failed_steps > 0 || failed_notices > 0 {
        Code::Findings
    } else if unread > 0 {
        Code::Partial
    } else {
        Code::Clean
    })
}

fn display_account(a: &AccountReport) -> &str {
    if a.account.is_empty() {
        "?"
    } else {
        &a.account
    }
}

async fn org_run(
    conf: &keyward_aws::SdkConfig,
    role: &str,
    opts: &RotateOptions,
    journal: &Mutex<Journal>,
    tick: &(dyn Fn() + Sync),
) -> Vec<AccountReport> {
    let failed = |account: &str, e: String| AccountReport {
        account: account.to_string(),
        users: Vec::new(),
        errors: vec![e],
    };
    let (own, arn) = match keyward_aws::rotate::caller(conf).await {
        Ok(c) => c,
        Err(e) => return vec![failed("", e)],
    };
    let partition = keyward_aws::org::partition(&arn).to_string();
    let accounts = match keyward_aws::rotate::org_accounts(conf).await {
        Ok(a) => a,
        Err(e) => return vec![failed(&own, e)],
    };
    let mut out = Vec::new();
    // The role is assumed in the management account too, so that the runner needs nothing
    // but docs/rotate/management-policy.json and every account is rotated with the same rights.
    for (id, _name) in accounts {
        let r = match keyward_aws::rotate::assume_role(conf, &partition, &id, role).await {
            Ok(member) => keyward_aws::rotate::rotate_account(&member, opts, journal, tick).await,
            Err(e) => failed(&id, e),
        };
        out.push(r);
    }
    out
}

fn step_text(s: &Step) -> String {
    match s {
        Step::DeleteOrphan { key } => {
            format!("delete {key} (made by an interrupted run, never stored)")
        }
        Step::Delete { key, age_days } => format!("delete {key} (inactive, {age_days} d)"),
        Step::Create { replaces, age_days } => {
            format!("create a new key ({replaces} is {age_days} d old)")
        }
        Step::Verify { key } => format!("prove {key} works"),
        Step::Deactivate {
            key,
            age_days,
            successor,
        } => format!("deactivate {key} ({age_days} d; {successor} replaces it)"),
    }
}

fn keys_text(u: &UserReport) -> String {
    u.keys
        .iter()
        .map(|k| {
            format!(
                "{} {} {} d, last used {}",
                k.id,
                match k.status {
                    keyward_rotate::KeyStatus::Active => "active",
                    keyward_rotate::KeyStatus::Inactive => "inactive",
                },
                k.age_days,
                k.last_used.as_deref().unwrap_or("never")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn table(reports: &[AccountReport], apply: bool, sent: &[Sent]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    // Off a terminal (a file, a pipe, CI logs) wrap at COLUMNS or 120 rather than not at all.
    if !std::io::stdout().is_terminal() {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(120);
        t.set_width(width);
    }
    let mut header = vec!["account", "user", "keys"];
    header.push(if apply { "done" } else { "due" });
    header.push("note");
    t.set_header(header);
    for a in reports {
        if !a.errors.is_empty() {
            t.add_row(vec![
                display_account(a).to_string(),
                "-".into(),
                String::new(),
                format!("ERROR: {}", a.errors.join("; ")),
                String::new(),
            ]);
        }
        for u in &a.users {
            let action = if apply {
                u.results
                    .iter()
                    .map(|r| {
                        let mut line = format!(
                            "{} {}",
                            if r.ok { "ok" } else { "FAILED" },
                            step_text(&r.step)
                        );
                        if !r.detail.is_empty() {
                            line.push_str(": ");
                            line.push_str(&r.detail);
                        }
                        line
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                u.plan
                    .steps
                    .iter()
                    .map(step_text)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let action = if action.is_empty() {
                "-".to_string()
            } else {
                action
            };
            let mut note = if apply {
                u.next.clone()
            } else {
                u.plan.note.clone()
            };
            if apply && (u.plan.exempt || u.plan.blocked) {
                note = u.plan.note.clone();
            }
            if let Some(e) = &u.error {
                note = format!("ERROR: {e}");
            }
            t.add_row(vec![
                a.account.clone(),
                u.plan.user.clone(),
                keys_text(u),
                action,
                note,
            ]);
        }
    }
    let mut out = format!("{t}\n");
    for s in sent {
        out.push_str(&format!(
            "notice for {} via {}: {}\n",
            s.user,
            s.channel,
            if s.ok { "sent" } else { &s.detail }
        ));
    }
    out
}
