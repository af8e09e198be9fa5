//! `keyward rotate` against an account: reads each IAM user's keys, groups, tags and secret,
//! plans with `keyward-rotate`, and with apply carries the plan out one step at a time.
//!
//! The order of a rotation is what keeps a workload running:
//! 1. the user's secret exists with its resource policy *before* a key is made, so a refusal
//!    from Secrets Manager costs nothing;
//! 2. `CreateAccessKey`, journaled before (the keys the user had) and after (the new id);
//! 3. `PutSecretValue` with a version id made from the key id; if it fails, the new key is
//!    deleted again: no key exists that nobody holds;
//! 4. a call signed with the new key (`sts:GetCallerIdentity`), retried through IAM's eventual
//!    consistency, must answer as the user;
//! 5. only then may a later step deactivate the old key, and only an inactive key is deleted.
//!
//! After each step the user is planned again from what is now true, so every action passes
//! the planner's rules at the moment it is taken. Users are worked on concurrently (`-j`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_sdk_iam::types::StatusType;
use aws_sdk_sts::error::ProvideErrorMetadata;
use futures_util::StreamExt;
use keyward_rotate::journal::{self, Event, Journal, Unfinished, UserState};
use keyward_rotate::report::{AccountReport, KeyView, StepResult, UserReport};
use keyward_rotate::{plan, secret, Key, KeyStatus, Lifecycle, Plan, Step, User};

use crate::collect::{call_error as err_text, tune};
pub use crate::org::{assume_role, caller, org_accounts};

/// Called after every call that changes the account, with its running number and name. The
/// CLI's crash-test hook stops the process here, between the change and its journal entry.
pub type ChangeHook = Arc<dyn Fn(u32, &str) + Send + Sync>;

/// What a rotation run is asked to do.
#[derive(Clone)]
pub struct RotateOptions {
    pub lifecycle: Lifecycle,
    /// Secret name template ([`secret::DEFAULT_NAME`]).
    pub secret_name: String,
    /// Principals (ARNs) besides the user allowed to read the user's secret.
    pub readers: Vec<String>,
    /// KMS key for new secrets (the account's `aws/secretsmanager` key when unset).
    pub kms_key_id: Option<String>,
    /// The user tag that holds the owner's e-mail address.
    pub email_tag: String,
    /// Users worked on at once.
    pub concurrency: usize,
    /// How long a new key may take to start working (IAM is eventually consistent).
    pub proof_timeout: Duration,
    /// Carry the plan out; otherwise only plan.
    pub apply: bool,
    /// The plan's clock, seconds since the epoch (`--as-of`, else now).
    pub now: i64,
    pub on_change: Option<ChangeHook>,
}

impl std::fmt::Debug for RotateOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotateOptions")
            .field("lifecycle", &self.lifecycle)
            .field("secret_name", &self.secret_name)
            .field("apply", &self.apply)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

fn wall_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Plans (and with `opts.apply`, rotates) every IAM user of the account `conf` reaches.
pub async fn rotate_account(
    conf: &SdkConfig,
    opts: &RotateOptions,
    journal: &Mutex<Journal>,
    progress: &(dyn Fn() + Sync),
) -> AccountReport {
    let conf = tune(conf);
    let mut report = AccountReport {
        account: String::new(),
        users: Vec::new(),
        errors: Vec::new(),
    };
    let (account, caller_arn) = match caller(&conf).await {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(e);
            return report;
        }
    };
    report.account = account.clone();
    let iam = aws_sdk_iam::Client::new(&conf);
    let mut users = Vec::new();
    let mut pages = iam.list_users().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => users.extend(p.users),
            Err(e) => {
                report.errors.push(err_text("iam:ListUsers", &e));
                return report;
            }
        }
    }
    let ctx = Ctx {
        iam,
        sm: aws_sdk_secretsmanager::Client::new(&conf),
        conf: conf.clone(),
        account,
        rotator: secret::principal_patterns(&caller_arn),
        caller_arn,
        opts,
        journal,
        changes: AtomicU32::new(0),
    };
    let mut done: Vec<UserReport> = futures_util::stream::iter(users)
        .map(|u| {
            let ctx = &ctx;
            async move {
                let r = ctx.user(u.user_name(), u.arn()).await;
                progress();
                r
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    done.sort_by(|a, b| a.plan.user.cmp(&b.plan.user));
    report.users = done;
    report
}

/// The user's secret as `DescribeSecret` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SecretState {
    Missing,
    Present {
        /// The key the current version holds, if this tool wrote it.
        stored: Option<String>,
        /// When deletion was scheduled, if it was.
        deleted: Option<i64>,
    },
}

struct Ctx<'a> {
    iam: aws_sdk_iam::Client,
    sm: aws_sdk_secretsmanager::Client,
    conf: SdkConfig,
    account: String,
    rotator: Vec<String>,
    caller_arn: String,
    opts: &'a RotateOptions,
    journal: &'a Mutex<Journal>,
    changes: AtomicU32,
}

/// What one step did, or why it failed.
type StepOutcome = Result<String, String>;

impl Ctx<'_> {
    fn changed(&self, what: &str) {
        let n = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(hook) = &self.opts.on_change {
            hook(n, what);
        }
    }

    fn journal_user(&self, user: &str) -> UserState {
        match self.journal.lock() {
            Ok(j) => j.user(&self.account, user),
            Err(p) => p.into_inner().user(&self.account, user),
        }
    }

    fn record(
        &self,
        user: &str,
        change: impl FnOnce(&mut UserState),
        event: Option<(&str, &str, String)>,
    ) -> Result<(), String> {
        let event = event.map(|(action, key, detail)| Event {
            time: wall_now(),
            account: self.account.clone(),
            user: user.to_string(),
            action: action.to_string(),
            key: key.to_string(),
            detail,
        });
        let mut j = match self.journal.lock() {
            Ok(j) => j,
            Err(p) => p.into_inner(),
        };
        j.update_user(&self.account, user, change, event)
            .map_err(|e| format!("cannot write the state file: {e}"))
    }

    async fn user(&self, name: &str, arn: &str) -> UserReport {
        let secret_name = secret::name(&self.opts.secret_name, &self.account, name);
        let mut report = UserReport {
            plan: Plan {
                account: self.account.clone(),
                user: name.to_string(),
                arn: arn.to_string(),
                steps: Vec::new(),
                note: String::new(),
                exempt: false,
                blocked: false,
            },
            keys: Vec::new(),
            results: Vec::new(),
            secret_name: secret_name.clone(),
            next: String::new(),
            owner_email: None,
            error: None,
        };
        let (mut user, state, email) = match self.read_user(name, arn, &secret_name).await {
            Ok(r) => r,
            Err(e) => {
                report.error = Some(e);
                return report;
            }
        };
        report.owner_email = email;
        report.keys = user
            .keys
            .iter()
            .map(|k| KeyView::new(k, self.opts.now))
            .collect();
        let lc = &self.opts.lifecycle;
        let mut p = plan(&user, lc, self.opts.now);
        // Deactivating the key this run signs with would stop the run half way.
        if user.arn == self.caller_arn {
            p.steps.clear();
            p.exempt = true;
            p.note = "the user this run signs as: rotate it from another principal".into();
        }
        if let Some(note) = self.unclear_note(&user) {
            p.steps.clear();
            p.blocked = true;
            p.note = note;
        }
        report.plan = p.clone();
        report.next = p.note.clone();
        if !self.opts.apply || p.exempt || (p.blocked && p.steps.is_empty()) {
            return report;
        }
        // Settle what an earlier run left (a create that never happened, or finished).
        if user.orphan.is_none() && self.journal_user(name).creating.is_some() {
            if let Err(e) = self.record(name, |u| u.creating = None, None) {
                report.error = Some(e);
                return report;
            }
        }
        // One step, then plan again from what is now true.
        for _ in 0..8 {
            let p = plan(&user, lc, self.opts.now);
            report.next = p.note.clone();
            let Some(step) = p.steps.first().cloned() else {
                break;
            };
            let outcome = self.step(&step, &mut user, &secret_name, &state).await;
            let ok = outcome.is_ok();
            report.results.push(StepResult {
                step,
                ok,
                detail: outcome.unwrap_or_else(|e| e),
            });
            if !ok {
                break;
            }
        }
        report
    }

    fn unclear_note(&self, user: &User) -> Option<String> {
        let ids: Vec<String> = user.keys.iter().map(|k| k.id.clone()).collect();
        match journal::unfinished(
            &self.journal_user(&user.name),
            &ids,
            user.stored_key.as_deref(),
        ) {
            Unfinished::Unclear(keys) => Some(format!(
                "an interrupted run was creating a key and {} appeared since; a person must say which to keep (then remove the user's entry from the state file)",
                keys.join(" and ")
            )),
            _ => None,
        }
    }

    async fn read_user(
        &self,
        name: &str,
        arn: &str,
        secret_name: &str,
    ) -> Result<(User, SecretState, Option<String>), String> {
        let mut keys = Vec::new();
        let mut pages = self
            .iam
            .list_access_keys()
            .user_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| err_text("iam:ListAccessKeys", &e))?;
            for k in page.access_key_metadata() {
                let Some(id) = k.access_key_id() else {
                    continue;
                };
                let last_used = self
                    .iam
                    .get_access_key_last_used()
                    .access_key_id(id)
                    .send()
                    .await
                    .map_err(|e| err_text("iam:GetAccessKeyLastUsed", &e))?
                    .access_key_last_used()
                    .and_then(|u| u.last_used_date())
                    .map(|d| d.secs());
                keys.push(Key {
                    id: id.to_string(),
                    status: if k.status() == Some(&StatusType::Active) {
                        KeyStatus::Active
                    } else {
                        KeyStatus::Inactive
                    },
                    created: k.create_date().map_or(0, |d| d.secs()),
                    last_used,
                });
            }
        }
        let mut groups = Vec::new();
        let mut pages = self
            .iam
            .list_groups_for_user()
            .user_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| err_text("iam:ListGroupsForUser", &e))?;
            groups.extend(page.groups().iter().map(|g| g.group_name().to_string()));
        }
        let mut tags = Vec::new();
        let mut pages = self
            .iam
            .list_user_tags()
            .user_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| err_text("iam:ListUserTags", &e))?;
            tags.extend(
                page.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string())),
            );
        }
        let state = self.secret_state(secret_name).await?;
        let stored_key = match &state {
            SecretState::Present { stored, .. } => stored.clone(),
            SecretState::Missing => None,
        };
        let email = tags
            .iter()
            .find(|(k, _)| *k == self.opts.email_tag)
            .map(|(_, v)| v.clone());
        let j = self.journal_user(name);
        let ids: Vec<String> = keys.iter().map(|k| k.id.clone()).collect();
        let orphan = match journal::unfinished(&j, &ids, stored_key.as_deref()) {
            Unfinished::Orphan(k) => Some(k),
            _ => None,
        };
        let user = User {
            account: self.account.clone(),
            name: name.to_string(),
            arn: arn.to_string(),
            groups,
            tags,
            keys,
            stored_key,
            verified: j.verified,
            orphan,
            deactivated: j.deactivated,
        };
        Ok((user, state, email))
    }

    async fn secret_state(&self, secret_name: &str) -> Result<SecretState, String> {
        match self
            .sm
            .describe_secret()
            .secret_id(secret_name)
            .send()
            .await
        {
            Ok(d) => {
                let stored = d.version_ids_to_stages().and_then(|m| {
                    m.iter()
                        .find(|(_, stages)| stages.iter().any(|s| s == "AWSCURRENT"))
                        .and_then(|(v, _)| secret::key_of_version(v).map(str::to_string))
                });
                Ok(SecretState::Present {
                    stored,
                    deleted: d.deleted_date().map(|t| t.secs()),
                })
            }
            Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(SecretState::Missing),
            Err(e) => Err(err_text("secretsmanager:DescribeSecret", &e)),
        }
    }

    async fn step(
        &self,
        step: &Step,
        user: &mut User,
        secret_name: &str,
        state: &SecretState,
    ) -> StepOutcome {
        match step {
            Step::DeleteOrphan { key } => {
                self.delete_key(user, key, "delete-orphan").await?;
                user.orphan = None;
                Ok(String::new())
            }
            Step::Delete { key, .. } => {
                self.delete_key(user, key, "delete").await?;
                Ok(String::new())
            }
            Step::Create { .. } => self.create(user, secret_name, state).await,
            Step::Verify { key } => {
                let out = self
                    .sm
                    .get_secret_value()
                    .secret_id(secret_name)
                    .send()
                    .await
                    .map_err(|e| err_text("secretsmanager:GetSecretValue", &e))?;
                let (id, secret_key) = out
                    .secret_string()
                    .and_then(secret::parse_value)
                    .ok_or_else(|| format!("{secret_name} does not hold an access key pair"))?;
                if id != *key {
                    return Err(format!("{secret_name} holds {id}, not {key}"));
                }
                let arn = self.prove(user, &id, &secret_key).await?;
                self.mark_verified(user, key)?;
                Ok(format!("{key} works (sts:GetCallerIdentity as {arn})"))
            }
            Step::Deactivate { key, .. } => {
                self.iam
                    .update_access_key()
                    .user_name(&user.name)
                    .access_key_id(key)
                    .status(StatusType::Inactive)
                    .send()
                    .await
                    .map_err(|e| err_text("iam:UpdateAccessKey", &e))?;
                self.changed("iam:UpdateAccessKey");
                let now = self.opts.now;
                self.record(
                    &user.name,
                    |u| {
                        u.deactivated.insert(key.clone(), now);
                    },
                    Some(("deactivate", key, String::new())),
                )?;
                for k in user.keys.iter_mut().filter(|k| k.id == *key) {
                    k.status = KeyStatus::Inactive;
                }
                user.deactivated.insert(key.clone(), now);
                Ok(String::new())
            }
        }
    }

    async fn delete_key(&self, user: &mut User, key: &str, action: &str) -> Result<(), String> {
        match self
            .iam
            .delete_access_key()
            .user_name(&user.name)
            .access_key_id(key)
            .send()
            .await
        {
            Ok(_) => self.changed("iam:DeleteAccessKey"),
            // Already gone (an earlier run, or a person): the wanted end state.
            Err(e) if e.code() == Some("NoSuchEntity") => {}
            Err(e) => return Err(err_text("iam:DeleteAccessKey", &e)),
        }
        let orphan = action == "delete-orphan";
        self.record(
            &user.name,
            |u| {
                u.verified.remove(key);
                u.deactivated.remove(key);
                if orphan {
                    u.creating = None;
                }
            },
            Some((action, key, String::new())),
        )?;
        user.keys.retain(|k| k.id != key);
        user.verified.remove(key);
        user.deactivated.remove(key);
        Ok(())
    }

    fn mark_verified(&self, user: &mut User, key: &str) -> Result<(), String> {
        self.record(
            &user.name,
            |u| {
                u.verified.insert(key.to_string());
            },
            Some(("verified", key, String::new())),
        )?;
        user.verified.insert(key.to_string());
        Ok(())
    }

    /// The secret exists, is not scheduled for deletion, and carries the resource policy.
    async fn prepare_secret(
        &self,
        user: &User,
        secret_name: &str,
        state: &SecretState,
    ) -> Result<(), String> {
        match state {
            SecretState::Present {
                deleted: Some(t), ..
            } => {
                return Err(format!(
                    "the secret {secret_name} is scheduled for deletion (since {}); restore it (aws secretsmanager restore-secret --secret-id {secret_name}) or delete it for good",
                    jiff::Timestamp::from_second(*t).map_or_else(|_| t.to_string(), |t| t.to_string())
                ))
            }
            SecretState::Present { .. } => {}
            SecretState::Missing => {
                let tag = |k: &str, v: &str| {
                    aws_sdk_secretsmanager::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                };
                let out = self
                    .sm
                    .create_secret()
                    .name(secret_name)
                    .description(format!(
                        "Access key of the IAM user {} (rotated by keyward rotate)",
                        user.arn
                    ))
                    .set_kms_key_id(self.opts.kms_key_id.clone())
                    .tags(tag("keyward:account", &self.account))
                    .tags(tag("keyward:user", &user.name))
                    .send()
                    .await;
                match out {
                    Ok(_) => self.changed("secretsmanager:CreateSecret"),
                    // Made by a run that stopped before it could say so.
                    Err(e) if e.code() == Some("ResourceExistsException") => {}
                    Err(e) => return Err(err_text("secretsmanager:CreateSecret", &e)),
                }
            }
        }
        let policy = secret::resource_policy(&user.arn, &self.opts.readers, &self.rotator);
        self.sm
            .put_resource_policy()
            .secret_id(secret_name)
            .resource_policy(policy)
            .block_public_policy(true)
            .send()
            .await
            .map_err(|e| err_text("secretsmanager:PutResourcePolicy", &e))?;
        self.changed("secretsmanager:PutResourcePolicy");
        Ok(())
    }

    async fn create(&self, user: &mut User, secret_name: &str, state: &SecretState) -> StepOutcome {
        self.prepare_secret(user, secret_name, state).await?;
        let keys_before: Vec<String> = user.keys.iter().map(|k| k.id.clone()).collect();
        self.record(
            &user.name,
            |u| {
                u.creating = Some(journal::Creating {
                    started: wall_now(),
                    keys_before,
                    key: None,
                })
            },
            None,
        )?;
        let created = match self
            .iam
            .create_access_key()
            .user_name(&user.name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let msg = err_text("iam:CreateAccessKey", &e);
                self.record(&user.name, |u| u.creating = None, None)?;
                return Err(msg);
            }
        };
        self.changed("iam:CreateAccessKey");
        let Some(k) = created.access_key() else {
            return Err("iam:CreateAccessKey answered without a key".into());
        };
        let (id, secret_key) = (k.access_key_id().to_string(), k.secret_access_key());
        let created_at = k
            .create_date()
            .and_then(|d| jiff::Timestamp::from_second(d.secs()).ok())
            .unwrap_or_else(jiff::Timestamp::now);
        self.record(
            &user.name,
            |u| {
                if let Some(c) = u.creating.as_mut() {
                    c.key = Some(id.clone());
                }
            },
            Some(("create", &id, String::new())),
        )?;
        let Some(token) = secret::version_token(&id) else {
            return Err(format!("{id} is too long for a Secrets Manager version id"));
        };
        let value = secret::value(&user.name, &id, secret_key, &created_at.to_string());
        if let Err(e) = self
            .sm
            .put_secret_value()
            .secret_id(secret_name)
            .secret_string(value)
            .client_request_token(token)
            .send()
            .await
        {
            let why = err_text("secretsmanager:PutSecretValue", &e);
            return Err(match self.delete_key(user, &id, "delete-orphan").await {
                Ok(()) => format!(
                    "could not store the new key in {secret_name} ({why}); the new key {id} was deleted again"
                ),
                Err(e2) => format!(
                    "could not store the new key in {secret_name} ({why}), and deleting the new key {id} failed too ({e2}); the next run deletes it"
                ),
            });
        }
        self.changed("secretsmanager:PutSecretValue");
        self.record(
            &user.name,
            |u| u.creating = None,
            Some(("store", &id, secret_name.to_string())),
        )?;
        user.keys.push(Key {
            id: id.clone(),
            status: KeyStatus::Active,
            // On the plan's clock, so that an --as-of run sees a key made today.
            created: self.opts.now,
            last_used: None,
        });
        user.stored_key = Some(id.clone());
        let arn = self.prove(user, &id, secret_key).await.map_err(|e| {
            format!("{id} is stored in {secret_name} but not proven ({e}); the old key stays active and the next run tries again")
        })?;
        self.mark_verified(user, &id)?;
        Ok(format!("{id}, stored in {secret_name}, works as {arn}"))
    }

    /// Signs `sts:GetCallerIdentity` with the key until it answers as the user. A new key
    /// takes seconds to work everywhere; rejections are retried until the proof timeout.
    async fn prove(&self, user: &User, id: &str, secret_key: &str) -> Result<String, String> {
        let creds = Credentials::new(id, secret_key, None, None, "keyward-rotate-proof");
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.conf)
                .credentials_provider(creds)
                .build(),
        );
        let deadline = Instant::now() + self.opts.proof_timeout;
        let mut wait = Duration::from_millis(500);
        loop {
            let last = match sts.get_caller_identity().send().await {
                Ok(out) => {
                    let arn = out.arn().unwrap_or_default().to_string();
                    if arn == user.arn {
                        return Ok(arn);
                    }
                    return Err(format!(
                        "calls signed with {id} run as {arn}, not as {}",
                        user.arn
                    ));
                }
                Err(e) => err_text("sts:GetCallerIdentity", &e),
            };
            if Instant::now() + wait > deadline {
                return Err(last);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }
}
