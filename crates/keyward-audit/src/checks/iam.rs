//! Credentials: the root user, users' passwords, MFA and access keys, and the password policy.
//! Most answers come from the credential report, the one document that has every user's
//! credential dates.

use crate::check::{Ctx, Out};
use crate::model::{CredentialRow, PasswordPolicy, UserDetail, ROOT_USER};
use crate::snapshot::Answer;

const REPORT: &str = "credential report";

fn truthy(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// Rows of the credential report, or a gap on the account.
fn rows<'a>(ctx: &'a Ctx, out: &mut Out) -> Option<&'a Vec<CredentialRow>> {
    out.need(&ctx.snap.credential_report, REPORT, &ctx.account)
}

fn root(rows: &[CredentialRow]) -> Option<&CredentialRow> {
    rows.iter().find(|r| r.user == ROOT_USER)
}

fn users(rows: &[CredentialRow]) -> impl Iterator<Item = &CredentialRow> {
    rows.iter().filter(|r| r.user != ROOT_USER)
}

/// One access key's columns.
pub struct Key<'a> {
    pub n: u8,
    pub active: bool,
    pub last_rotated: &'a str,
    pub last_used: &'a str,
}

pub fn keys(r: &CredentialRow) -> [Key<'_>; 2] {
    [
        Key {
            n: 1,
            active: truthy(&r.access_key_1_active),
            last_rotated: &r.access_key_1_last_rotated,
            last_used: &r.access_key_1_last_used_date,
        },
        Key {
            n: 2,
            active: truthy(&r.access_key_2_active),
            last_rotated: &r.access_key_2_last_rotated,
            last_used: &r.access_key_2_last_used_date,
        },
    ]
}

pub fn root_access_key(ctx: &Ctx, out: &mut Out) {
    let resource = format!("arn:aws:iam::{}:root", ctx.account);
    if let Answer::Ok(rows) = &ctx.snap.credential_report {
        if let Some(r) = root(rows) {
            let active: Vec<String> = keys(r)
                .iter()
                .filter(|k| k.active)
                .map(|k| format!("access key {}", k.n))
                .collect();
            if active.is_empty() {
                out.pass(&resource, "the root user has no active access key");
            } else {
                out.fail(
                    &resource,
                    format!("the root user has an active {}", active.join(" and ")),
                );
            }
            return;
        }
    }
    if let Some(s) = out.need(&ctx.snap.account_summary, "account summary", &resource) {
        match s.summary_map.get("AccountAccessKeysPresent") {
            Some(0) => out.pass(&resource, "AccountAccessKeysPresent is 0"),
            Some(_) => out.fail(
                &resource,
                "the root user has access keys (AccountAccessKeysPresent)",
            ),
            None => out.gap(&resource, "account summary has no AccountAccessKeysPresent"),
        }
    }
}

pub fn root_mfa(ctx: &Ctx, out: &mut Out) {
    let resource = format!("arn:aws:iam::{}:root", ctx.account);
    if let Answer::Ok(rows) = &ctx.snap.credential_report {
        if let Some(r) = root(rows) {
            if truthy(&r.mfa_active) {
                out.pass(&resource, "MFA is active on the root user");
            } else {
                out.fail(&resource, "the root user has no MFA device");
            }
            return;
        }
    }
    if let Some(s) = out.need(&ctx.snap.account_summary, "account summary", &resource) {
        match s.summary_map.get("AccountMFAEnabled") {
            Some(1) => out.pass(&resource, "AccountMFAEnabled is 1"),
            Some(_) => out.fail(
                &resource,
                "the root user has no MFA device (AccountMFAEnabled)",
            ),
            None => out.gap(&resource, "account summary has no AccountMFAEnabled"),
        }
    }
}

pub fn root_recent_use(ctx: &Ctx, out: &mut Out) {
    let Some(rows) = rows(ctx, out) else { return };
    let resource = format!("arn:aws:iam::{}:root", ctx.account);
    let Some(r) = root(rows) else {
        out.gap(&resource, "the credential report has no <root_account> row");
        return;
    };
    let limit = ctx.settings.root_recent_days;
    let mut uses = Vec::new();
    if let Some(d) = ctx
        .days_since(&r.password_last_used)
        .filter(|d| *d <= limit)
    {
        uses.push(format!("signed in {d} days ago ({})", r.password_last_used));
    }
    for k in keys(r) {
        if let Some(d) = ctx.days_since(k.last_used).filter(|d| *d <= limit) {
            uses.push(format!("access key {} used {d} days ago", k.n));
        }
    }
    if uses.is_empty() {
        out.pass(
            &resource,
            format!("the root user was not used in the last {limit} days"),
        );
    } else {
        out.fail(&resource, format!("the root user {}", uses.join("; ")));
    }
}

pub fn console_without_mfa(ctx: &Ctx, out: &mut Out) {
    let Some(rows) = rows(ctx, out) else { return };
    for r in users(rows) {
        if !truthy(&r.password_enabled) {
            continue;
        }
        if truthy(&r.mfa_active) {
            out.pass(&r.arn, "console password with MFA");
        } else {
            out.fail(
                &r.arn,
                format!("user {} has a console password and no MFA device", r.user),
            );
        }
    }
}

pub fn access_key_rotation(ctx: &Ctx, out: &mut Out) {
    let Some(rows) = rows(ctx, out) else { return };
    let max = ctx.settings.key_max_age_days;
    for r in users(rows) {
        for k in keys(r).iter().filter(|k| k.active) {
            match ctx.days_since(k.last_rotated) {
                Some(age) if age > max => out.fail(
                    &r.arn,
                    format!(
                        "access key {} of {} is {age} days old (created {}; rotate after {max})",
                        k.n, r.user, k.last_rotated
                    ),
                ),
                Some(age) => out.pass(&r.arn, format!("access key {} is {age} days old", k.n)),
                None => out.gap(
                    &r.arn,
                    format!(
                        "access key {}: no creation date in the credential report",
                        k.n
                    ),
                ),
            }
        }
    }
}

pub fn unused_credentials(ctx: &Ctx, out: &mut Out) {
    let Some(rows) = rows(ctx, out) else { return };
    let limit = ctx.settings.unused_days;
    for r in users(rows) {
        let mut stale = Vec::new();
        let mut any = false;
        if truthy(&r.password_enabled) {
            any = true;
            match ctx.days_since(&r.password_last_used) {
                Some(d) if d > limit => stale.push(format!("password last used {d} days ago")),
                Some(_) => {}
                None => {
                    let issued = ctx
                        .days_since(&r.password_last_changed)
                        .or_else(|| ctx.days_since(&r.user_creation_time));
                    if issued.is_some_and(|d| d > limit) {
                        stale.push(format!(
                            "password never used, set {} days ago",
                            issued.unwrap_or_default()
                        ));
                    }
                }
            }
        }
        for k in keys(r).iter().filter(|k| k.active) {
            any = true;
            match ctx.days_since(k.last_used) {
                Some(d) if d > limit => {
                    stale.push(format!("access key {} last used {d} days ago", k.n))
                }
                Some(_) => {}
                None => {
                    if let Some(d) = ctx.days_since(k.last_rotated).filter(|d| *d > limit) {
                        stale.push(format!(
                            "access key {} never used, created {d} days ago",
                            k.n
                        ));
                    }
                }
            }
        }
        if !stale.is_empty() {
            out.fail(&r.arn, format!("{}: {}", r.user, stale.join("; ")));
        } else if any {
            out.pass(&r.arn, format!("credentials used within {limit} days"));
        }
    }
}

pub fn two_active_keys(ctx: &Ctx, out: &mut Out) {
    let Some(rows) = rows(ctx, out) else { return };
    for r in users(rows) {
        let active = keys(r).iter().filter(|k| k.active).count();
        if active == 2 {
            out.fail(
                &r.arn,
                format!("user {} has two active access keys", r.user),
            );
        } else if active == 1 {
            out.pass(&r.arn, "one active access key");
        }
    }
}

pub fn user_direct_policies(ctx: &Ctx, out: &mut Out) {
    user_policies(
        ctx,
        out,
        |u| {
            u.attached_managed_policies
                .iter()
                .map(|p| p.policy_name.as_str())
                .collect()
        },
        "no managed policy attached to the user",
        "has policies attached directly",
    );
}

pub fn user_inline_policies(ctx: &Ctx, out: &mut Out) {
    user_policies(
        ctx,
        out,
        |u| {
            u.user_policy_list
                .iter()
                .map(|p| p.policy_name.as_str())
                .collect()
        },
        "no inline policy",
        "has inline policies",
    );
}

/// Fails every user holding policies of one kind (`names` lists them), naming them.
fn user_policies(
    ctx: &Ctx,
    out: &mut Out,
    names: impl Fn(&UserDetail) -> Vec<&str>,
    pass: &str,
    fail: &str,
) {
    let Some(a) = out.need(
        &ctx.snap.authorization,
        "authorization details",
        &ctx.account,
    ) else {
        return;
    };
    for u in &a.user_detail_list {
        let names = names(u);
        if names.is_empty() {
            out.pass(&u.arn, pass);
        } else {
            out.fail(
                &u.arn,
                format!("user {} {fail}: {}", u.user_name, names.join(", ")),
            );
        }
    }
}

/// The password policy, `Ok(None)` when none is set (IAM's `NoSuchEntity`), or a gap.
fn password_policy<'a>(ctx: &'a Ctx, out: &mut Out) -> Result<Option<&'a PasswordPolicy>, ()> {
    match &ctx.snap.password_policy {
        Answer::Ok(p) => Ok(Some(&p.password_policy)),
        Answer::Failed(e) if e.code == "NoSuchEntity" => Ok(None),
        a => {
            out.gap(&ctx.account, a.gap("password policy").unwrap_or_default());
            Err(())
        }
    }
}

fn password_check(
    ctx: &Ctx,
    out: &mut Out,
    judge: impl Fn(&PasswordPolicy) -> Result<String, String>,
) {
    let resource = format!("arn:aws:iam::{}:account-password-policy", ctx.account);
    match password_policy(ctx, out) {
        Err(()) => {}
        Ok(None) => out.fail(
            &resource,
            "no password policy is set (IAM then accepts 8-character passwords with no other rule)",
        ),
        Ok(Some(p)) => match judge(p) {
            Ok(why) => out.pass(&resource, why),
            Err(why) => out.fail(&resource, why),
        },
    }
}

fn min_length(p: &PasswordPolicy, floor: i64, by: &str) -> Result<String, String> {
    let n = p.minimum_password_length.unwrap_or(6);
    if n >= floor {
        Ok(format!("minimum length {n}"))
    } else {
        Err(format!(
            "minimum password length is {n}; {by} asks for {floor} or more"
        ))
    }
}

pub fn password_length_cis(ctx: &Ctx, out: &mut Out) {
    password_check(ctx, out, |p| min_length(p, 14, "CIS AWS Foundations 1.8"));
}

pub fn password_length_nisc(ctx: &Ctx, out: &mut Out) {
    password_check(ctx, out, |p| min_length(p, 10, "NISC's guideline"));
}

pub fn password_reuse(ctx: &Ctx, out: &mut Out) {
    password_check(ctx, out, |p| match p.password_reuse_prevention {
        Some(n) if n >= 24 => Ok(format!("the last {n} passwords cannot be reused")),
        Some(n) => Err(format!(
            "only the last {n} passwords are remembered; CIS asks for 24"
        )),
        None => Err("password reuse is not prevented".into()),
    });
}

pub fn password_expiry(ctx: &Ctx, out: &mut Out) {
    password_check(ctx, out, |p| {
        match (p.expire_passwords, p.max_password_age) {
            (Some(true), Some(n)) if n <= 90 => Ok(format!("passwords expire after {n} days")),
            (Some(true), Some(n)) => Err(format!(
                "passwords expire after {n} days; FSBP IAM.7 asks for 90 or fewer"
            )),
            _ => Err("passwords never expire".into()),
        }
    });
}

pub fn password_character_classes(ctx: &Ctx, out: &mut Out) {
    password_check(ctx, out, |p| {
        let missing: Vec<&str> = [
            (p.require_uppercase_characters, "uppercase letters"),
            (p.require_lowercase_characters, "lowercase letters"),
            (p.require_numbers, "numbers"),
            (p.require_symbols, "symbols"),
        ]
        .into_iter()
        .filter(|(on, _)| *on != Some(true))
        .map(|(_, what)| what)
        .collect();
        if missing.is_empty() {
            Ok("all four character classes are required".into())
        } else {
            Err(format!(
                "the policy does not require {}",
                missing.join(", ")
            ))
        }
    });
}
