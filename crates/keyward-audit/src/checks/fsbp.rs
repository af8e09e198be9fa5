//! AWS Foundational Security Best Practices controls on what can be opened to the world or to
//! other accounts (S3 buckets, EBS and RDS snapshots, SSM documents, RDS instances, Redshift
//! clusters, ECS services) and on the configuration around it (network ACLs, CloudFront,
//! CodeBuild, Elastic Beanstalk).
//!
//! A resource named in a list file (`s3api-list-buckets.json`, `ec2-describe-snapshots.json`...)
//! and described in a file of its own is judged from that file; when the file is absent or the
//! call failed, the resource is not evaluated.

use std::collections::BTreeMap;

use keyward_core::policy::{Effect, Statement};
use keyward_core::{PolicyDocument, Secret};
use serde_json::Value;

use super::resources::secrets_in;
use crate::check::{Ctx, Out};
use crate::model::*;
use crate::snapshot::{file_key, Answer, RegionSnapshot};

fn regions<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (&'a str, &'a RegionSnapshot)> {
    ctx.snap.regions.iter().map(|(r, s)| (r.as_str(), s))
}

/// The answer saved for `key` in a per-resource folder (files are named by [`file_key`]).
fn saved<'a, T>(m: &'a BTreeMap<String, Answer<T>>, key: &str) -> Option<&'a Answer<T>> {
    m.get(key).or_else(|| m.get(&file_key(key)))
}

/// The answer for `key`, or a "not evaluated" outcome on `resource` naming what is missing.
fn need_saved<'a, T>(
    out: &mut Out,
    m: &'a BTreeMap<String, Answer<T>>,
    key: &str,
    what: &str,
    resource: &str,
) -> Option<&'a T> {
    match saved(m, key) {
        Some(a) => out.need(a, what, resource),
        None => {
            out.gap(resource, format!("{what}: not collected"));
            None
        }
    }
}

/// An answer where some error codes mean "there is none" (`NoSuchBucketPolicy`): `Ok(None)`
/// for those, `Err` with the reason when the answer is not known.
fn optional<'a, T>(
    a: Option<&'a Answer<T>>,
    none_codes: &[&str],
    what: &str,
) -> Result<Option<&'a T>, String> {
    match a {
        None => Err(format!("{what}: not collected")),
        Some(Answer::Failed(e)) if none_codes.contains(&e.code.as_str()) => Ok(None),
        Some(a) => match a.gap(what) {
            None => Ok(a.ok()),
            Some(why) => Err(why),
        },
    }
}

/// A statement's name for a report: its `Sid`, else its JSON.
fn label(s: &Statement) -> String {
    s.sid
        .clone()
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| s.raw.to_string())
}

/// `1 account`, `3 accounts`.
fn accounts(n: usize) -> String {
    if n == 1 {
        "1 account".into()
    } else {
        format!("{n} accounts")
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account of an `AWS` principal: `123456789012` or an IAM/STS ARN. `None` for unique ids
/// (`AROA...`, what a policy shows once its principal is deleted) and for anything else.
fn principal_account(p: &str) -> Option<&str> {
    if is_account_id(p) {
        return Some(p);
    }
    let acct = p.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account_id(acct).then_some(acct)
}

// ---------------------------------------------------------------------------------------------
// S3

const NO_BPA: &str = "NoSuchPublicAccessBlockConfiguration";
const NO_POLICY: &str = "NoSuchBucketPolicy";

/// The four Block Public Access settings, in AWS's order.
const BPA: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];
const IGNORE_PUBLIC_ACLS: usize = 1;
const RESTRICT_PUBLIC_BUCKETS: usize = 3;

fn bpa_flags(c: Option<&PublicAccessBlock>) -> [bool; 4] {
    let Some(c) = c else { return [false; 4] };
    let c = &c.public_access_block_configuration;
    [
        c.block_public_acls,
        c.ignore_public_acls,
        c.block_public_policy,
        c.restrict_public_buckets,
    ]
    .map(|f| f == Some(true))
}

/// The Block Public Access settings in force on one bucket. S3 applies the most restrictive
/// combination of the account's and the bucket's, so a setting is on when either level has it.
struct InForce {
    /// `Some(true)`: on at some level; `Some(false)`: off at both; `None`: off where seen, and a
    /// level could not be seen.
    flags: [Option<bool>; 4],
    account_all: bool,
    bucket_all: bool,
    /// Why a level is not known.
    unknown: Vec<String>,
}

fn in_force(ctx: &Ctx, bucket: &str) -> InForce {
    let account = optional(
        Some(&ctx.snap.s3_account_public_access_block),
        &[NO_BPA],
        "s3control get-public-access-block",
    )
    .map(bpa_flags);
    let own = optional(
        saved(&ctx.snap.s3_public_access_blocks, bucket),
        &[NO_BPA],
        "s3api get-public-access-block",
    )
    .map(bpa_flags);
    let mut flags = [None; 4];
    for (i, f) in flags.iter_mut().enumerate() {
        let a = account.as_ref().ok().map(|x| x[i]);
        let b = own.as_ref().ok().map(|x| x[i]);
        *f = match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        };
    }
    InForce {
        flags,
        account_all: account.as_ref().is_ok_and(|x| x.iter().all(|f| *f)),
        bucket_all: own.as_ref().is_ok_and(|x| x.iter().all(|f| *f)),
        unknown: [&account, &own]
            .iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect(),
    }
}

fn each_bucket(ctx: &Ctx, out: &mut Out, mut judge: impl FnMut(&str, &str, &mut Out)) {
    out.region(None);
    let Some(list) = out.need(&ctx.snap.s3_buckets, "s3api list-buckets", &ctx.account) else {
        return;
    };
    for b in &list.buckets {
        let arn = format!("arn:aws:s3:::{}", b.name);
        judge(&b.name, &arn, out);
    }
}

/// The bucket's policy (`Ok(None)`: it has none), or why it is not known.
fn bucket_policy(ctx: &Ctx, bucket: &str) -> Result<Option<PolicyDocument>, String> {
    let p = optional(
        saved(&ctx.snap.s3_bucket_policies, bucket),
        &[NO_POLICY],
        "s3api get-bucket-policy",
    )?;
    let Some(p) = p else { return Ok(None) };
    p.policy
        .as_deref()
        .and_then(|t| PolicyDocument::parse(t).ok())
        .map(Some)
        .ok_or_else(|| "the bucket policy is not a policy document".to_string())
}

pub fn s3_block_public_access(ctx: &Ctx, out: &mut Out) {
    each_bucket(ctx, out, |name, arn, out| {
        let f = in_force(ctx, name);
        if f.flags.iter().all(|x| *x == Some(true)) {
            let level = match (f.account_all, f.bucket_all) {
                (true, true) => "at the account and the bucket level",
                (true, false) => "at the account level",
                (false, true) => "at the bucket level",
                (false, false) => "between the account and the bucket level",
            };
            out.pass(
                arn,
                format!("all four Block Public Access settings are on {level}"),
            );
            return;
        }
        let off: Vec<&str> = BPA
            .iter()
            .zip(f.flags)
            .filter(|(_, on)| *on == Some(false))
            .map(|(n, _)| *n)
            .collect();
        if off.len() == BPA.len() {
            out.fail(
                arn,
                format!("no Block Public Access setting is on for {name}, at the bucket or the account level"),
            );
        } else if !off.is_empty() {
            out.fail(
                arn,
                format!(
                    "{} {} off for {name} at both the bucket and the account level",
                    off.join(", "),
                    if off.len() == 1 { "is" } else { "are" }
                ),
            );
        } else {
            out.gap(arn, f.unknown.join("; "));
        }
    });
}

/// Actions that read a bucket or its objects, and that write or delete them: those S3 counts
/// as "bad actions" when it decides whether a policy is public.
const READ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAcl",
    "s3:GetBucketAcl",
    "s3:GetBucketPolicy",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
];
const READ_PREFIXES: &[&str] = &["s3:get", "s3:list"];
const WRITE_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:DeleteBucket",
    "s3:PutLifecycleConfiguration",
    "s3:AbortMultipartUpload",
    "s3:RestoreObject",
];
const WRITE_PREFIXES: &[&str] = &[
    "s3:put",
    "s3:delete",
    "s3:abortmultipartupload",
    "s3:restoreobject",
];

/// Whether a statement allows some action of a family: one of `examples` (which catches
/// wildcards and `NotAction`), or an action named with one of `prefixes`.
fn allows_family(s: &Statement, examples: &[&str], prefixes: &[&str]) -> bool {
    examples.iter().any(|a| s.covers_action(a))
        || s.action.iter().any(|a| {
            let a = a.to_ascii_lowercase();
            prefixes.iter().any(|p| a.starts_with(p))
        })
}

/// Condition keys whose fixed value ties a request to known callers or networks. S3 does not
/// count a statement to `*` as public when it is tested on one of them.
const PINNING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
];

/// Whether a statement's condition pins who may use it: a positive operator (not `...Not...`,
/// not `...IfExists`, not `ForAllValues:`, which all pass when the key is absent) on a pinning
/// key, with values that are not wildcards (nor `0.0.0.0/0`-style ranges for `aws:SourceIp`).
fn pinned(s: &Statement) -> bool {
    let Some(Value::Object(ops)) = &s.condition else {
        return false;
    };
    ops.iter().any(|(op, block)| {
        let op = op.to_ascii_lowercase();
        if op.contains("not")
            || op.ends_with("ifexists")
            || op == "null"
            || op.starts_with("forallvalues:")
        {
            return false;
        }
        let Value::Object(b) = block else {
            return false;
        };
        b.iter().any(|(k, v)| {
            let k = k.to_ascii_lowercase();
            PINNING_KEYS.contains(&k.as_str()) && fixed(&k, v)
        })
    })
}

fn fixed(key: &str, v: &Value) -> bool {
    let vals: Vec<String> = match v {
        Value::Array(a) => a.iter().map(value_text).collect(),
        v => vec![value_text(v)],
    };
    !vals.is_empty()
        && vals.iter().all(|x| {
            let x = x.trim();
            let open_range = key == "aws:sourceip" && x.ends_with("/0");
            !(x.is_empty() || x.starts_with('*') || open_range)
        })
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// `Allow` statements that give anyone (`*`, or everyone but a `NotPrincipal`) one of the
/// actions, with no condition pinning the caller.
fn public_statements(doc: &PolicyDocument, examples: &[&str], prefixes: &[&str]) -> Vec<String> {
    doc.statements()
        .iter()
        .filter(|s| {
            s.effect == Effect::Allow
                && (s.principal_is_anyone() || s.not_principal.is_some())
                && allows_family(s, examples, prefixes)
                && !pinned(s)
        })
        .map(label)
        .collect()
}

/// ACL grants of `perms` to everyone (`AllUsers`) or to every AWS account
/// (`AuthenticatedUsers`), as `READ to AllUsers`.
fn public_grants(acl: &BucketAcl, perms: &[&str]) -> Vec<String> {
    acl.grants
        .iter()
        .filter_map(|g| {
            let uri = g.grantee.uri.as_deref()?;
            let who = uri.strip_prefix("http://acs.amazonaws.com/groups/global/")?;
            if who != "AllUsers" && who != "AuthenticatedUsers" {
                return None;
            }
            let p = g.permission.as_deref()?;
            perms.contains(&p).then(|| format!("{p} to {who}"))
        })
        .collect()
}

struct Access {
    verb: &'static str,
    examples: &'static [&'static str],
    prefixes: &'static [&'static str],
    acl_perms: &'static [&'static str],
}

const READ: Access = Access {
    verb: "read",
    examples: READ_ACTIONS,
    prefixes: READ_PREFIXES,
    acl_perms: &["READ", "FULL_CONTROL"],
};

const WRITE: Access = Access {
    verb: "write",
    examples: WRITE_ACTIONS,
    prefixes: WRITE_PREFIXES,
    acl_perms: &["WRITE", "WRITE_ACP", "FULL_CONTROL"],
};

/// S3.2 and S3.3: the bucket policy and the ACL, each unless the Block Public Access setting
/// that overrides it (RestrictPublicBuckets, IgnorePublicAcls) is in force.
fn s3_public(ctx: &Ctx, out: &mut Out, access: &Access) {
    each_bucket(ctx, out, |name, arn, out| {
        let f = in_force(ctx, name);
        let verb = access.verb;
        let mut open = Vec::new();
        let mut unknown = Vec::new();
        // A public grant is open when the setting that would override it is known to be off.
        let mut judge = |what: String, setting: usize| {
            if f.flags[setting] == Some(false) {
                open.push(what);
            } else {
                unknown.push(format!(
                    "{what}, and whether {} overrides it is not known ({})",
                    BPA[setting],
                    f.unknown.join("; ")
                ));
            }
        };
        let mut unreadable = Vec::new();
        if f.flags[RESTRICT_PUBLIC_BUCKETS] != Some(true) {
            match bucket_policy(ctx, name) {
                Err(why) => unreadable.push(why),
                Ok(None) => {}
                Ok(Some(doc)) => {
                    let sids = public_statements(&doc, access.examples, access.prefixes);
                    if !sids.is_empty() {
                        judge(
                            format!(
                                "bucket policy statement {} lets anyone {verb} {name}",
                                sids.join(", ")
                            ),
                            RESTRICT_PUBLIC_BUCKETS,
                        );
                    }
                }
            }
        }
        if f.flags[IGNORE_PUBLIC_ACLS] != Some(true) {
            match optional(
                saved(&ctx.snap.s3_bucket_acls, name),
                &[],
                "s3api get-bucket-acl",
            ) {
                Err(why) => unreadable.push(why),
                Ok(None) => {}
                Ok(Some(acl)) => {
                    let grants = public_grants(acl, access.acl_perms);
                    if !grants.is_empty() {
                        judge(
                            format!("the bucket ACL grants {}", grants.join(", ")),
                            IGNORE_PUBLIC_ACLS,
                        );
                    }
                }
            }
        }
        unknown.extend(unreadable);
        if !open.is_empty() {
            out.fail(arn, open.join("; "));
        } else if !unknown.is_empty() {
            out.gap(arn, unknown.join("; "));
        } else if f.flags[RESTRICT_PUBLIC_BUCKETS] == Some(true)
            && f.flags[IGNORE_PUBLIC_ACLS] == Some(true)
        {
            out.pass(
                arn,
                "RestrictPublicBuckets and IgnorePublicAcls are in force: S3 disregards public policies and ACLs",
            );
        } else {
            out.pass(
                arn,
                format!("neither the bucket policy nor the ACL lets anyone {verb} the bucket"),
            );
        }
    });
}

pub fn s3_public_read(ctx: &Ctx, out: &mut Out) {
    s3_public(ctx, out, &READ);
}

pub fn s3_public_write(ctx: &Ctx, out: &mut Out) {
    s3_public(ctx, out, &WRITE);
}

/// FSBP S3.6's default list: actions that let another account take over the bucket's access
/// control or encryption.
const CROSS_ACCOUNT_DENIED: &[&str] = &[
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
];

pub fn s3_policy_cross_account(ctx: &Ctx, out: &mut Out) {
    let own = ctx.snap.account_id();
    each_bucket(ctx, out, |name, arn, out| {
        let doc = match bucket_policy(ctx, name) {
            Err(why) => return out.gap(arn, why),
            Ok(None) => return out.pass(arn, "no bucket policy"),
            Ok(Some(d)) => d,
        };
        let mut grants = Vec::new();
        let mut unsure = false;
        for s in doc
            .statements()
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            let actions: Vec<&str> = CROSS_ACCOUNT_DENIED
                .iter()
                .copied()
                .filter(|a| s.covers_action(a))
                .collect();
            if actions.is_empty() {
                continue;
            }
            let mut who = Vec::new();
            if s.principal_is_anyone() || s.not_principal.is_some() {
                who.push("*".to_string());
            } else {
                for p in s.principals("AWS") {
                    match (principal_account(&p), own.as_deref()) {
                        (Some(a), Some(me)) if a != me => who.push(p.clone()),
                        (Some(_), None) => unsure = true,
                        _ => {}
                    }
                }
            }
            if !who.is_empty() {
                grants.push(format!(
                    "statement {} allows {} to {}",
                    label(s),
                    who.join(", "),
                    actions.join(", ")
                ));
            }
        }
        if !grants.is_empty() {
            out.fail(arn, grants.join("; "));
        } else if unsure {
            out.gap(
                arn,
                "the bucket policy names AWS accounts, and this account's id is not known (sts-get-caller-identity.json not collected)",
            );
        } else {
            out.pass(
                arn,
                "the bucket policy gives no other account control of the bucket's policy, ACLs or encryption",
            );
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Snapshots and documents shared with everyone

pub fn ec2_snapshot_public(ctx: &Ctx, out: &mut Out) {
    let own = ctx.snap.account_id();
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.ebs_snapshots, "ec2 describe-snapshots", region) else {
            continue;
        };
        for s in &list.snapshots {
            if let (Some(o), Some(me)) = (s.owner_id.as_deref(), own.as_deref()) {
                if o != me {
                    // Listed without `--owner-ids self`: another account's snapshot.
                    continue;
                }
            }
            let arn = format!("arn:aws:ec2:{region}::snapshot/{}", s.snapshot_id);
            let Some(attr) = need_saved(
                out,
                &reg.ebs_snapshot_permissions,
                &s.snapshot_id,
                "ec2 describe-snapshot-attribute",
                &arn,
            ) else {
                continue;
            };
            let public = attr.create_volume_permissions.iter().any(|p| {
                p.group
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case("all"))
            });
            let shared = attr
                .create_volume_permissions
                .iter()
                .filter(|p| p.user_id.is_some())
                .count();
            if public {
                out.fail(
                    &arn,
                    format!(
                        "anyone may create a volume from {}{} (createVolumePermission Group all)",
                        s.snapshot_id,
                        s.volume_id
                            .as_deref()
                            .map(|v| format!(", a snapshot of {v}"))
                            .unwrap_or_default()
                    ),
                );
            } else if shared > 0 {
                out.pass(
                    &arn,
                    format!("shared with {}, not public", accounts(shared)),
                );
            } else {
                out.pass(&arn, "not shared");
            }
        }
    }
}

pub fn rds_snapshot_public(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.rds_snapshots, "rds describe-db-snapshots", region) else {
            continue;
        };
        for s in &list.db_snapshots {
            let kind = s.snapshot_type.as_deref().unwrap_or("manual");
            if ["automated", "shared", "public"]
                .iter()
                .any(|k| kind.eq_ignore_ascii_case(k))
            {
                // Automated snapshots cannot be shared; shared and public ones are not ours.
                continue;
            }
            let id = &s.db_snapshot_identifier;
            let arn = s
                .db_snapshot_arn
                .clone()
                .unwrap_or_else(|| format!("arn:aws:rds:{region}:{}:snapshot:{id}", ctx.account));
            let Some(attrs) = need_saved(
                out,
                &reg.rds_snapshot_attributes,
                id,
                "rds describe-db-snapshot-attributes",
                &arn,
            ) else {
                continue;
            };
            let restore: Vec<&String> = attrs
                .result
                .attributes
                .iter()
                .filter(|a| a.attribute_name == "restore")
                .flat_map(|a| a.attribute_values.iter())
                .collect();
            if restore.iter().any(|v| v.eq_ignore_ascii_case("all")) {
                out.fail(
                    &arn,
                    format!(
                        "anyone may copy or restore the DB snapshot {id} (restore attribute: all)"
                    ),
                );
            } else if restore.is_empty() {
                out.pass(&arn, "not shared");
            } else {
                out.pass(
                    &arn,
                    format!("shared with {}, not public", accounts(restore.len())),
                );
            }
        }
    }
}

pub fn ssm_document_public(ctx: &Ctx, out: &mut Out) {
    let own = ctx.snap.account_id();
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.ssm_documents, "ssm list-documents", region) else {
            continue;
        };
        for d in &list.document_identifiers {
            let foreign = match d.owner.as_deref() {
                None => false,
                Some(o) if !is_account_id(o) => true,
                Some(o) => own.as_deref().is_some_and(|me| me != o),
            };
            if foreign {
                // Listed without `--filters Key=Owner,Values=Self`: AWS's or another account's.
                continue;
            }
            let arn = format!(
                "arn:aws:ssm:{region}:{}:document/{}",
                d.owner.as_deref().unwrap_or(&ctx.account),
                d.name
            );
            let Some(perm) = need_saved(
                out,
                &reg.ssm_document_permissions,
                &d.name,
                "ssm describe-document-permission",
                &arn,
            ) else {
                continue;
            };
            let all = |s: &str| s.eq_ignore_ascii_case("all");
            let public = perm.account_ids.iter().any(|a| all(a))
                || perm
                    .account_sharing_info_list
                    .iter()
                    .any(|i| i.account_id.as_deref().is_some_and(all));
            if public {
                out.fail(
                    &arn,
                    format!(
                        "the SSM document {} is shared with everyone (AccountIds: all)",
                        d.name
                    ),
                );
            } else if perm.account_ids.is_empty() {
                out.pass(&arn, "not shared");
            } else {
                out.pass(
                    &arn,
                    format!(
                        "shared with {}, not public",
                        accounts(perm.account_ids.len())
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Network placement

pub fn ec2_unused_network_acl(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.network_acls, "ec2 describe-network-acls", region) else {
            continue;
        };
        for acl in &list.network_acls {
            if acl.is_default == Some(true) {
                // A VPC's default network ACL cannot be deleted.
                continue;
            }
            let arn = format!(
                "arn:aws:ec2:{region}:{}:network-acl/{}",
                acl.owner_id.as_deref().unwrap_or(&ctx.account),
                acl.network_acl_id
            );
            let n = acl.associations.len();
            if n == 0 {
                out.fail(
                    &arn,
                    format!(
                        "{} in {} is associated with no subnet",
                        acl.network_acl_id,
                        acl.vpc_id.as_deref().unwrap_or("its VPC")
                    ),
                );
            } else {
                out.pass(&arn, format!("associated with {n} subnets"));
            }
        }
    }
}

pub fn ecs_service_public_ip(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.ecs_clusters, "ecs list-clusters", region) else {
            continue;
        };
        for cluster_arn in &list.cluster_arns {
            let cluster = cluster_arn.rsplit('/').next().unwrap_or(cluster_arn);
            let Some(d) = need_saved(
                out,
                &reg.ecs_services,
                cluster,
                "ecs describe-services",
                cluster_arn,
            ) else {
                continue;
            };
            for s in &d.services {
                if s.status.as_deref() == Some("INACTIVE") {
                    continue;
                }
                let arn = s.service_arn.clone().unwrap_or_else(|| {
                    format!(
                        "arn:aws:ecs:{region}:{}:service/{cluster}/{}",
                        ctx.account, s.service_name
                    )
                });
                let assign = s
                    .network_configuration
                    .as_ref()
                    .and_then(|n| n.awsvpc_configuration.as_ref())
                    .and_then(|c| c.assign_public_ip.as_deref());
                if assign.is_some_and(|a| a.eq_ignore_ascii_case("ENABLED")) {
                    out.fail(
                        &arn,
                        format!(
                            "service {} in cluster {cluster} gives its tasks public IP addresses (assignPublicIp ENABLED)",
                            s.service_name
                        ),
                    );
                } else {
                    out.pass(&arn, "tasks get no public IP address");
                }
            }
        }
    }
}

fn each_db_instance(ctx: &Ctx, out: &mut Out, mut judge: impl FnMut(&DbInstance, &str, &mut Out)) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.rds_instances, "rds describe-db-instances", region) else {
            continue;
        };
        for db in &list.db_instances {
            let arn = db.db_instance_arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:rds:{region}:{}:db:{}",
                    ctx.account, db.db_instance_identifier
                )
            });
            judge(db, &arn, out);
        }
    }
}

pub fn rds_instance_public(ctx: &Ctx, out: &mut Out) {
    each_db_instance(ctx, out, |db, arn, out| {
        match db.publicly_accessible {
        Some(true) => out.fail(
            arn,
            format!(
                "DB instance {} is publicly accessible: its endpoint resolves to a public IP address",
                db.db_instance_identifier
            ),
        ),
        Some(false) => out.pass(arn, "not publicly accessible"),
        None => out.gap(arn, "rds describe-db-instances: no PubliclyAccessible in the answer"),
    }
    });
}

pub fn rds_instance_in_vpc(ctx: &Ctx, out: &mut Out) {
    each_db_instance(ctx, out, |db, arn, out| {
        let vpc = db
            .db_subnet_group
            .as_ref()
            .and_then(|g| g.vpc_id.as_deref())
            .filter(|v| !v.is_empty());
        match vpc {
            Some(v) => out.pass(arn, format!("in {v}")),
            None => out.fail(
                arn,
                format!(
                    "DB instance {} has no DB subnet group in a VPC",
                    db.db_instance_identifier
                ),
            ),
        }
    });
}

fn each_redshift_cluster(
    ctx: &Ctx,
    out: &mut Out,
    mut judge: impl FnMut(&RedshiftCluster, &str, &mut Out),
) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(&reg.redshift_clusters, "redshift describe-clusters", region)
        else {
            continue;
        };
        for c in &list.clusters {
            // describe-clusters gives no cluster ARN; the namespace ARN names the account.
            let account = c
                .cluster_namespace_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(4))
                .filter(|a| is_account_id(a))
                .unwrap_or(&ctx.account);
            let arn = format!(
                "arn:aws:redshift:{region}:{account}:cluster:{}",
                c.cluster_identifier
            );
            judge(c, &arn, out);
        }
    }
}

pub fn redshift_cluster_public(ctx: &Ctx, out: &mut Out) {
    each_redshift_cluster(ctx, out, |c, arn, out| match c.publicly_accessible {
        Some(true) => out.fail(
            arn,
            format!(
                "Redshift cluster {} is publicly accessible",
                c.cluster_identifier
            ),
        ),
        Some(false) => out.pass(arn, "not publicly accessible"),
        None => out.gap(
            arn,
            "redshift describe-clusters: no PubliclyAccessible in the answer",
        ),
    });
}

pub fn redshift_enhanced_vpc_routing(ctx: &Ctx, out: &mut Out) {
    each_redshift_cluster(ctx, out, |c, arn, out| {
        match c.enhanced_vpc_routing {
        Some(true) => out.pass(arn, "enhanced VPC routing is on"),
        Some(false) => out.fail(
            arn,
            format!(
                "Redshift cluster {} sends COPY and UNLOAD traffic outside its VPC (EnhancedVpcRouting off)",
                c.cluster_identifier
            ),
        ),
        None => out.gap(arn, "redshift describe-clusters: no EnhancedVpcRouting in the answer"),
    }
    });
}

// ---------------------------------------------------------------------------------------------
// Configuration: CloudFront, CodeBuild, Elastic Beanstalk

pub fn cloudfront_default_root_object(ctx: &Ctx, out: &mut Out) {
    out.region(None);
    let Some(list) = out.need(
        &ctx.snap.cloudfront_distributions,
        "cloudfront list-distributions",
        &ctx.account,
    ) else {
        return;
    };
    for d in &list.distribution_list.items {
        let arn = d.arn.clone().unwrap_or_else(|| {
            format!("arn:aws:cloudfront::{}:distribution/{}", ctx.account, d.id)
        });
        let root = match saved(&ctx.snap.cloudfront_distribution_configs, &d.id) {
            Some(a) => {
                let Some(c) = out.need(a, "cloudfront get-distribution-config", &arn) else {
                    continue;
                };
                c.distribution_config
                    .default_root_object
                    .clone()
                    .unwrap_or_default()
            }
            None => match &d.default_root_object {
                Some(r) => r.clone(),
                None => {
                    out.gap(
                        &arn,
                        "cloudfront get-distribution-config: not collected (list-distributions does not show the default root object)",
                    );
                    continue;
                }
            },
        };
        let name = d.domain_name.as_deref().unwrap_or(&d.id);
        if root.trim().is_empty() {
            out.fail(
                &arn,
                format!("{name} has no default root object: a request for / is passed to the origin as is"),
            );
        } else {
            out.pass(&arn, format!("default root object {root}"));
        }
    }
}

fn each_project(
    ctx: &Ctx,
    out: &mut Out,
    mut judge: impl FnMut(&CodeBuildProject, &str, &mut Out),
) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(
            &reg.codebuild_projects,
            "codebuild batch-get-projects",
            region,
        ) else {
            continue;
        };
        for p in &list.projects {
            let arn = p.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:codebuild:{region}:{}:project/{}",
                    ctx.account, p.name
                )
            });
            judge(p, &arn, out);
        }
    }
}

/// The user information of a URL (`https://user:password@host/...`).
struct UserInfo<'a> {
    scheme: &'a str,
    user: &'a str,
    password: Option<&'a str>,
    /// What follows the `@`: host and path.
    rest: &'a str,
}

fn user_info(url: &str) -> Option<UserInfo<'_>> {
    let (scheme, after_scheme) = url.split_once("://")?;
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let (userinfo, _) = after_scheme[..end].rsplit_once('@')?;
    let rest = &after_scheme[userinfo.len() + 1..];
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p).filter(|p| !p.is_empty())),
        None => (userinfo, None),
    };
    Some(UserInfo {
        scheme,
        user,
        password,
        rest,
    })
}

pub fn codebuild_url_credentials(ctx: &Ctx, out: &mut Out) {
    each_project(ctx, out, |p, arn, out| {
        let mut found = Vec::new();
        let mut unsure = Vec::new();
        for src in p.source.iter().chain(&p.secondary_sources) {
            let Some(loc) = src.location.as_deref() else {
                continue;
            };
            let kind = src.kind.as_deref().unwrap_or("source");
            let Some(info) = user_info(loc) else {
                continue;
            };
            match info.password {
                Some(pw) => found.push(format!(
                    "{kind} URL holds a user name and password: {}://{}:{}@{}",
                    info.scheme,
                    info.user,
                    Secret::new(pw),
                    info.rest
                )),
                // A user name alone is how Bitbucket writes its clone URLs; a token alone is
                // a credential. The secret rules tell them apart.
                None => {
                    let user = info.user;
                    if ctx.secrets.is_none() {
                        unsure.push(format!(
                            "{kind} URL holds user information ({}) that could not be checked: keyward scan's secret rules could not be loaded",
                            Secret::new(user)
                        ));
                    } else {
                        found.extend(secrets_in(ctx, &[("user", user)]).into_iter().map(|s| {
                            format!(
                                "{kind} URL carries {} as its user name",
                                s.strip_prefix("user holds ").unwrap_or(&s)
                            )
                        }));
                    }
                }
            }
        }
        if !found.is_empty() {
            out.fail(arn, format!("{}: {}", p.name, found.join("; ")));
        } else if !unsure.is_empty() {
            out.gap(arn, unsure.join("; "));
        } else {
            out.pass(arn, "no sign-in credentials in source URLs");
        }
    });
}

/// The variable names AWS's own check (codebuild-project-envvar-awscred-check) flags.
const AWS_KEY_NAMES: &[&str] = &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

pub fn codebuild_env_credentials(ctx: &Ctx, out: &mut Out) {
    each_project(ctx, out, |p, arn, out| {
        let vars: Vec<(&str, &str)> = p
            .environment
            .iter()
            .flat_map(|e| e.environment_variables.iter())
            .filter(|v| {
                v.kind
                    .as_deref()
                    .is_none_or(|k| k.eq_ignore_ascii_case("PLAINTEXT"))
            })
            .map(|v| (v.name.as_str(), v.value.as_deref().unwrap_or("")))
            .collect();
        let mut found: Vec<String> = vars
            .iter()
            .filter(|(k, _)| AWS_KEY_NAMES.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .map(|(k, _)| format!("{k} is a PLAINTEXT variable"))
            .collect();
        found.extend(secrets_in(ctx, &vars));
        if !found.is_empty() {
            out.fail(arn, format!("{}: {}", p.name, found.join("; ")));
        } else if ctx.secrets.is_none() {
            out.gap(arn, "keyward scan's secret rules could not be loaded");
        } else {
            out.pass(
                arn,
                format!("{} PLAINTEXT variables, no credential", vars.len()),
            );
        }
    });
}

const MANAGED_ACTIONS: &str = "aws:elasticbeanstalk:managedactions";
const PLATFORM_UPDATE: &str = "aws:elasticbeanstalk:managedactions:platformupdate";

pub fn beanstalk_managed_updates(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(list) = out.need(
            &reg.beanstalk_environments,
            "elasticbeanstalk describe-environments",
            region,
        ) else {
            continue;
        };
        for e in &list.environments {
            if matches!(e.status.as_deref(), Some("Terminated" | "Terminating")) {
                continue;
            }
            let (app, env) = (&e.application_name, &e.environment_name);
            let arn = e.environment_arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:elasticbeanstalk:{region}:{}:environment/{app}/{env}",
                    ctx.account
                )
            });
            let Some(cfg) = need_saved(
                out,
                &reg.beanstalk_settings,
                &format!("{app}_{env}"),
                "elasticbeanstalk describe-configuration-settings",
                &arn,
            ) else {
                continue;
            };
            let Some(set) = cfg
                .configuration_settings
                .iter()
                .find(|c| c.environment_name.as_deref() == Some(env.as_str()))
                .or(cfg.configuration_settings.first())
            else {
                out.gap(
                    &arn,
                    "elasticbeanstalk describe-configuration-settings: no settings in the answer",
                );
                continue;
            };
            let option = |ns: &str, name: &str| {
                set.option_settings
                    .iter()
                    .find(|o| o.namespace == ns && o.option_name == name)
                    .and_then(|o| o.value.as_deref())
            };
            match option(MANAGED_ACTIONS, "ManagedActionsEnabled") {
                Some(v) if v.eq_ignore_ascii_case("true") => out.pass(
                    &arn,
                    format!(
                        "managed platform updates are on (update level {})",
                        option(PLATFORM_UPDATE, "UpdateLevel").unwrap_or("not set")
                    ),
                ),
                v => out.fail(
                    &arn,
                    format!(
                        "environment {env} of {app} does not take managed platform updates (ManagedActionsEnabled {})",
                        v.unwrap_or("not set")
                    ),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Outcome, Settings, Status};
    use crate::snapshot::{Files, Snapshot};

    const NO_BPA_FILE: &str = r#"{"Error":{"Code":"NoSuchPublicAccessBlockConfiguration","Message":"The public access block configuration was not found"}}"#;
    const ALL_ON: &str = r#"{"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}"#;
    const BUCKETS: &str = r#"{"Buckets":[{"Name":"b1"}]}"#;
    const PUBLIC_GET: &str = r#"{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Open\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b1/*\"}]}"}"#;
    const PRIVATE_ACL: &str = r#"{"Grants":[{"Grantee":{"Type":"CanonicalUser","ID":"abc"},"Permission":"FULL_CONTROL"}]}"#;

    fn run(check: &str, list: &[(&str, &str)]) -> Vec<Outcome> {
        let files: Files = list
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let (snap, problems) = Snapshot::from_files(&files);
        assert!(problems.is_empty(), "{problems:?}");
        let now = jiff::Timestamp::UNIX_EPOCH;
        crate::audit(&snap, &Settings::default(), now, |id| id == check)
    }

    fn statuses(o: &[Outcome]) -> Vec<Status> {
        o.iter().map(|o| o.status).collect()
    }

    fn statement(json: &str) -> Statement {
        let doc = PolicyDocument::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{json}]}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        doc.statements()[0].clone()
    }

    #[test]
    fn only_positive_conditions_on_fixed_callers_pin_a_statement() {
        let with = |cond: &str| {
            pinned(&statement(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{cond}}}"#
            )))
        };
        assert!(with(
            r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#
        ));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}"#));
        assert!(with(
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#
        ));
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#));
        assert!(!with(
            r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#
        ));
        assert!(!with(
            r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#
        ));
        assert!(!with(r#"{"StringLike":{"aws:SourceArn":"*"}}"#));
        assert!(!with(r#"{"Bool":{"aws:SecureTransport":"true"}}"#));
        assert!(!with(
            r#"{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}"#
        ));
    }

    #[test]
    fn read_and_write_families_cover_wildcards_and_not_action() {
        let s = |json: &str| statement(json);
        let read = |st: &Statement| allows_family(st, READ_ACTIONS, READ_PREFIXES);
        let write = |st: &Statement| allows_family(st, WRITE_ACTIONS, WRITE_PREFIXES);
        let all = s(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
        assert!(read(&all) && write(&all));
        let get = s(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetBucketLocation","Resource":"*"}"#,
        );
        assert!(read(&get) && !write(&get));
        let not_get =
            s(r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:Get*","Resource":"*"}"#);
        assert!(write(&not_get));
    }

    #[test]
    fn a_listed_bucket_without_its_files_is_not_evaluated() {
        let list = [("s3api-list-buckets.json", BUCKETS)];
        for check in [
            "s3-bucket-public-read",
            "s3-bucket-public-write",
            "s3-bucket-block-public-access",
            "s3-bucket-policy-cross-account",
        ] {
            let o = run(check, &list);
            assert_eq!(statuses(&o), [Status::NotEvaluated], "{check}: {o:?}");
            assert_eq!(o[0].resource, "arn:aws:s3:::b1");
        }
        // No list: one gap for the account, nothing per bucket.
        let o = run("s3-bucket-public-read", &[]);
        assert_eq!(statuses(&o), [Status::NotEvaluated]);
        assert!(o[0].detail.contains("s3api list-buckets: not collected"));
    }

    #[test]
    fn the_account_level_block_covers_buckets_whose_files_are_absent() {
        let list = [
            ("s3api-list-buckets.json", BUCKETS),
            ("s3control-get-public-access-block.json", ALL_ON),
        ];
        for check in [
            "s3-bucket-public-read",
            "s3-bucket-public-write",
            "s3-bucket-block-public-access",
        ] {
            assert_eq!(statuses(&run(check, &list)), [Status::Passed], "{check}");
        }
    }

    #[test]
    fn a_public_policy_fails_only_when_no_block_can_override_it() {
        let base = [
            ("s3api-list-buckets.json", BUCKETS),
            ("s3api-get-bucket-policy/b1.json", PUBLIC_GET),
            ("s3api-get-bucket-acl/b1.json", PRIVATE_ACL),
            ("s3api-get-public-access-block/b1.error.json", NO_BPA_FILE),
        ];
        // The account's settings were not collected: they might override the policy.
        let o = run("s3-bucket-public-read", &base);
        assert_eq!(statuses(&o), [Status::NotEvaluated], "{o:?}");
        assert!(o[0].detail.contains("RestrictPublicBuckets"), "{o:?}");
        // None at the account either: public.
        let mut known = base.to_vec();
        known.push(("s3control-get-public-access-block.error.json", NO_BPA_FILE));
        let o = run("s3-bucket-public-read", &known);
        assert_eq!(statuses(&o), [Status::Failed], "{o:?}");
        assert!(o[0].detail.contains("Open"));
        assert_eq!(
            statuses(&run("s3-bucket-public-write", &known)),
            [Status::Passed]
        );
    }

    #[test]
    fn another_account_needs_this_accounts_id_but_anyone_does_not() {
        let policy = |principal: &str| {
            format!(
                r#"{{"Policy":"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{principal},\"Action\":\"s3:PutBucketPolicy\",\"Resource\":\"arn:aws:s3:::b1\"}}]}}"}}"#
            )
        };
        let other = policy(r#"{\"AWS\":\"210987654321\"}"#);
        let o = run(
            "s3-bucket-policy-cross-account",
            &[
                ("s3api-list-buckets.json", BUCKETS),
                ("s3api-get-bucket-policy/b1.json", &other),
            ],
        );
        assert_eq!(statuses(&o), [Status::NotEvaluated], "{o:?}");
        let identity = r#"{"Account":"123456789012"}"#;
        let o = run(
            "s3-bucket-policy-cross-account",
            &[
                ("sts-get-caller-identity.json", identity),
                ("s3api-list-buckets.json", BUCKETS),
                ("s3api-get-bucket-policy/b1.json", &other),
            ],
        );
        assert_eq!(statuses(&o), [Status::Failed], "{o:?}");
        let own = policy(r#"{\"AWS\":\"arn:aws:iam::123456789012:role/admin\"}"#);
        let o = run(
            "s3-bucket-policy-cross-account",
            &[
                ("sts-get-caller-identity.json", identity),
                ("s3api-list-buckets.json", BUCKETS),
                ("s3api-get-bucket-policy/b1.json", &own),
            ],
        );
        assert_eq!(statuses(&o), [Status::Passed], "{o:?}");
        let anyone = policy(r#"\"*\""#);
        let o = run(
            "s3-bucket-policy-cross-account",
            &[
                ("s3api-list-buckets.json", BUCKETS),
                ("s3api-get-bucket-policy/b1.json", &anyone),
            ],
        );
        assert_eq!(statuses(&o), [Status::Failed], "{o:?}");
    }

    #[test]
    fn a_listed_resource_without_its_own_file_is_not_evaluated() {
        let o = run(
            "ec2-snapshot-public",
            &[(
                "ap-northeast-1/ec2-describe-snapshots.json",
                r#"{"Snapshots":[{"SnapshotId":"snap-1"}]}"#,
            )],
        );
        assert_eq!(statuses(&o), [Status::NotEvaluated]);
        assert_eq!(o[0].resource, "arn:aws:ec2:ap-northeast-1::snapshot/snap-1");
        // A region where the list is missing: one gap for the region.
        let o = run(
            "rds-snapshot-public",
            &[(
                "ap-northeast-1/rds-describe-db-snapshot-attributes/s1.json",
                r#"{"DBSnapshotAttributesResult":{"DBSnapshotAttributes":[{"AttributeName":"restore","AttributeValues":["all"]}]}}"#,
            )],
        );
        assert_eq!(statuses(&o), [Status::NotEvaluated]);
        assert_eq!(o[0].resource, "ap-northeast-1");
        // A failed per-resource call is a gap with AWS's error.
        let o = run(
            "elasticbeanstalk-managed-updates",
            &[
                (
                    "ap-northeast-1/elasticbeanstalk-describe-environments.json",
                    r#"{"Environments":[{"EnvironmentName":"web prod","ApplicationName":"shop","Status":"Ready"}]}"#,
                ),
                (
                    "ap-northeast-1/elasticbeanstalk-describe-configuration-settings/shop_web_prod.error.json",
                    r#"{"Error":{"Code":"AccessDenied","Message":"not authorized"}}"#,
                ),
            ],
        );
        assert_eq!(statuses(&o), [Status::NotEvaluated]);
        assert!(o[0].detail.contains("AccessDenied"), "{o:?}");
    }

    #[test]
    fn a_distribution_without_its_config_is_judged_from_the_list_only_if_it_says() {
        let list = |item: &str| {
            format!(
                r#"{{"DistributionList":{{"Items":[{{"Id":"E1","ARN":"arn:aws:cloudfront::123456789012:distribution/E1"{item}}}]}}}}"#
            )
        };
        let bare = list("");
        let o = run(
            "cloudfront-default-root-object",
            &[("cloudfront-list-distributions.json", &bare)],
        );
        assert_eq!(statuses(&o), [Status::NotEvaluated]);
        let with_root = list(r#","DefaultRootObject":"index.html""#);
        let o = run(
            "cloudfront-default-root-object",
            &[("cloudfront-list-distributions.json", &with_root)],
        );
        assert_eq!(statuses(&o), [Status::Passed]);
        let o = run(
            "cloudfront-default-root-object",
            &[
                ("cloudfront-list-distributions.json", &with_root),
                (
                    "cloudfront-get-distribution-config/E1.json",
                    r#"{"ETag":"X","DistributionConfig":{"DefaultRootObject":""}}"#,
                ),
            ],
        );
        assert_eq!(statuses(&o), [Status::Failed]);
    }

    #[test]
    fn user_information_is_read_from_the_authority_only() {
        assert!(user_info("https://bitbucket.org/acme/app.git").is_none());
        assert!(user_info("acme-artifacts/source.zip").is_none());
        assert!(user_info("https://bitbucket.org/acme/app.git?ref=a@b").is_none());
        let u = user_info("https://ci@bitbucket.org/acme/app.git").unwrap_or_else(|| panic!());
        assert_eq!(
            (u.user, u.password, u.rest),
            ("ci", None, "bitbucket.org/acme/app.git")
        );
        let u = user_info("https://ci:PASSWORD@bitbucket.org/a.git").unwrap_or_else(|| panic!());
        assert_eq!(
            (u.scheme, u.user, u.password),
            ("https", "ci", Some("PASSWORD"))
        );
    }
}
