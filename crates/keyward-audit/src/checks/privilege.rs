//! Privileges: who is an administrator, who can make themselves one, what policies allow,
//! whom roles trust, and roles nobody uses. All from `get-account-authorization-details`.

use std::collections::BTreeMap;

use keyward_core::policy::{Effect, Statement};
use keyward_core::PolicyDocument;

use crate::check::{Ctx, Out};
use crate::model::{AttachedPolicy, AuthorizationDetails, InlinePolicy, RoleDetail};

const DETAILS: &str = "authorization details";
const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const POWER_USER_ARN: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

/// A policy that applies to a principal, and how it got there.
pub struct Applied<'a> {
    /// `inline ci-deploy`, `AdministratorAccess`, `group ops: AdministratorAccess`...
    pub label: String,
    pub arn: Option<&'a str>,
    /// `None` when the document is not in the authorization details (an AWS managed policy
    /// collected without its versions).
    pub doc: Option<&'a PolicyDocument>,
}

/// One user or role with every policy that applies to it.
pub struct Principal<'a> {
    pub kind: &'static str,
    pub name: &'a str,
    pub arn: &'a str,
    pub policies: Vec<Applied<'a>>,
}

fn managed<'a>(
    docs: &BTreeMap<&'a str, &'a PolicyDocument>,
    attached: &'a [AttachedPolicy],
    via: &str,
    out: &mut Vec<Applied<'a>>,
) {
    for p in attached {
        out.push(Applied {
            label: format!("{via}{}", p.policy_name),
            arn: Some(&p.policy_arn),
            doc: docs.get(p.policy_arn.as_str()).copied(),
        });
    }
}

fn inline<'a>(list: &'a [InlinePolicy], via: &str, out: &mut Vec<Applied<'a>>) {
    for p in list {
        out.push(Applied {
            label: format!("{via}inline {}", p.policy_name),
            arn: None,
            doc: Some(&p.policy_document),
        });
    }
}

/// Users (with their groups' policies) and roles. Service-linked roles are left out: AWS
/// defines their policies and nobody can assume them.
pub fn principals(a: &AuthorizationDetails) -> Vec<Principal<'_>> {
    let docs: BTreeMap<&str, &PolicyDocument> = a
        .policies
        .iter()
        .filter_map(|p| p.default_document().map(|d| (p.arn.as_str(), d)))
        .collect();
    let groups: BTreeMap<&str, _> = a
        .group_detail_list
        .iter()
        .map(|g| (g.group_name.as_str(), g))
        .collect();
    let mut out = Vec::new();
    for u in &a.user_detail_list {
        let mut policies = Vec::new();
        inline(&u.user_policy_list, "", &mut policies);
        managed(&docs, &u.attached_managed_policies, "", &mut policies);
        for g in &u.group_list {
            if let Some(gd) = groups.get(g.as_str()) {
                let via = format!("group {g}: ");
                inline(&gd.group_policy_list, &via, &mut policies);
                managed(&docs, &gd.attached_managed_policies, &via, &mut policies);
            }
        }
        out.push(Principal {
            kind: "user",
            name: &u.user_name,
            arn: &u.arn,
            policies,
        });
    }
    for r in &a.role_detail_list {
        if is_service_linked(r) {
            continue;
        }
        let mut policies = Vec::new();
        inline(&r.role_policy_list, "", &mut policies);
        managed(&docs, &r.attached_managed_policies, "", &mut policies);
        out.push(Principal {
            kind: "role",
            name: &r.role_name,
            arn: &r.arn,
            policies,
        });
    }
    out
}

fn is_service_linked(r: &RoleDetail) -> bool {
    r.path
        .as_deref()
        .is_some_and(|p| p.starts_with("/aws-service-role/"))
}

/// Why a principal is an administrator (or a power user), if it is.
fn admin_reasons(p: &Principal) -> Vec<String> {
    let mut why = Vec::new();
    for a in &p.policies {
        if a.arn == Some(ADMIN_ARN) {
            why.push(format!("{} (AWS managed AdministratorAccess)", a.label));
        } else if a.arn == Some(POWER_USER_ARN) {
            why.push(format!(
                "{} (every action except IAM and Organizations)",
                a.label
            ));
        } else if a.doc.is_some_and(|d| !d.full_admin_statements().is_empty()) {
            why.push(format!("{} (allows \"*\" on \"*\")", a.label));
        }
    }
    why
}

pub fn admin_principals(ctx: &Ctx, out: &mut Out) {
    let Some(a) = out.need(&ctx.snap.authorization, DETAILS, &ctx.account) else {
        return;
    };
    for p in principals(a) {
        let why = admin_reasons(&p);
        if why.is_empty() {
            out.pass(p.arn, "no administrator policy");
        } else {
            out.fail(
                p.arn,
                format!(
                    "{} {} has administrator rights through {}",
                    p.kind,
                    p.name,
                    why.join("; ")
                ),
            );
        }
    }
}

fn customer_policies(
    ctx: &Ctx,
    out: &mut Out,
    mut judge: impl FnMut(&str, &PolicyDocument, &mut Out),
) {
    let Some(a) = out.need(&ctx.snap.authorization, DETAILS, &ctx.account) else {
        return;
    };
    for p in a.policies.iter().filter(|p| !p.is_aws_managed()) {
        match p.default_document() {
            Some(d) => judge(&p.arn, d, out),
            None => out.gap(
                &p.arn,
                "the policy's default version is not in the authorization details",
            ),
        }
    }
}

pub fn policy_full_admin(ctx: &Ctx, out: &mut Out) {
    customer_policies(ctx, out, |arn, d, out| {
        let st = d.full_admin_statements();
        if st.is_empty() {
            out.pass(arn, "no statement allows \"*\" on \"*\"");
        } else {
            out.fail(arn, format!("allows \"*\" on \"*\": {}", quote(&st)));
        }
    });
}

pub fn policy_service_wildcard(ctx: &Ctx, out: &mut Out) {
    customer_policies(ctx, out, |arn, d, out| {
        let w = d.service_wildcards();
        if w.is_empty() {
            out.pass(arn, "no service-wide wildcard action");
        } else {
            out.fail(
                arn,
                format!("allows every action of a service: {}", w.join(", ")),
            );
        }
    });
}

/// IAM actions that change who may do what.
const IAM_WRITE: &[&str] = &[
    "iam:CreateUser",
    "iam:CreateRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];

pub fn policy_iam_write(ctx: &Ctx, out: &mut Out) {
    customer_policies(ctx, out, |arn, d, out| {
        if !d.full_admin_statements().is_empty() {
            // Reported as full admin already; one finding per fact.
            out.pass(arn, "full administrator policy (see iam-policy-full-admin)");
            return;
        }
        let granted: Vec<&str> = IAM_WRITE
            .iter()
            .copied()
            .filter(|a| !grants_any(&[d], a).is_empty())
            .collect();
        if granted.is_empty() {
            out.pass(arn, "no IAM write action");
        } else {
            out.fail(
                arn,
                format!("grants IAM write actions: {}", granted.join(", ")),
            );
        }
    });
}

/// The known ways to become an administrator from a lesser grant (Rhino Security Labs' list,
/// as Cloudsplaining and PMapper use it, and the EC2 user-data methods that Pacu uses and
/// Prowler checks): each a name and the actions it needs together. A role needs no
/// `sts:AssumeRole` to use what it changes on itself, and nobody needs it while a role that
/// anyone may assume exists ([`open_roles`]).
pub const ESCALATION_METHODS: &[(&str, &[&str])] = &[
    ("CreatePolicyVersion", &["iam:CreatePolicyVersion"]),
    ("SetDefaultPolicyVersion", &["iam:SetDefaultPolicyVersion"]),
    ("CreateAccessKey", &["iam:CreateAccessKey"]),
    ("CreateLoginProfile", &["iam:CreateLoginProfile"]),
    ("UpdateLoginProfile", &["iam:UpdateLoginProfile"]),
    ("AttachUserPolicy", &["iam:AttachUserPolicy"]),
    ("AttachGroupPolicy", &["iam:AttachGroupPolicy"]),
    (
        "AttachRolePolicy",
        &["iam:AttachRolePolicy", "sts:AssumeRole"],
    ),
    ("PutUserPolicy", &["iam:PutUserPolicy"]),
    ("PutGroupPolicy", &["iam:PutGroupPolicy"]),
    ("PutRolePolicy", &["iam:PutRolePolicy", "sts:AssumeRole"]),
    ("AddUserToGroup", &["iam:AddUserToGroup"]),
    // No sts:AssumeRole needed: the new trust policy may name an account of the attacker's,
    // from which they assume the role.
    ("UpdateAssumeRolePolicy", &["iam:UpdateAssumeRolePolicy"]),
    ("PassRole to EC2", &["iam:PassRole", "ec2:RunInstances"]),
    // An existing instance runs new user data as root on its next start, and reads its
    // instance profile's credentials (Pacu's ec2__startup_shell_script).
    (
        "EC2 user data of an existing instance",
        &[
            "ec2:ModifyInstanceAttribute",
            "ec2:StopInstances",
            "ec2:StartInstances",
        ],
    ),
    // The instances an Auto Scaling group launches from the new default version run its user
    // data with the template's instance profile.
    (
        "EC2 launch template version",
        &[
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
        ],
    ),
    (
        "PassRole to Lambda, invoked",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "PassRole to Lambda, event source",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
    ),
    ("UpdateFunctionCode", &["lambda:UpdateFunctionCode"]),
    (
        "PassRole to Glue dev endpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    ("UpdateDevEndpoint", &["glue:UpdateDevEndpoint"]),
    (
        "PassRole to CloudFormation",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "PassRole to Data Pipeline",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
    (
        "PassRole to SageMaker notebook",
        &[
            "iam:PassRole",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
    ),
    (
        "PassRole to CodeBuild",
        &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
    ),
];

/// Actions that hand out the credentials of the user they name. On the caller's own user
/// (`user/${aws:username}`, as AWS's self-service credential policies write it) they give
/// nothing the caller does not already have, so such statements do not count for them.
const OWN_CREDENTIALS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];

fn only_own_user(s: &Statement) -> bool {
    s.not_resource.is_empty()
        && !s.resource.is_empty()
        && s.resource
            .iter()
            .all(|r| r.to_ascii_lowercase().ends_with(":user/${aws:username}"))
}

/// Statements among `docs` that allow `action` on some resource, unless an unconditional
/// `Deny` on every resource takes it away. Resource scoping is not weighed: a `PassRole` on one
/// role still passes that role, and which role is admin is a question of the target. The one
/// exception: credential actions scoped to the caller's own user ([`OWN_CREDENTIALS`]).
fn grants_any<'a>(docs: &[&'a PolicyDocument], action: &str) -> Vec<&'a Statement> {
    let denied = docs.iter().flat_map(|d| d.statements()).any(|s| {
        s.effect == Effect::Deny
            && s.condition.is_none()
            && s.covers_action(action)
            && s.covers_resource("*")
    });
    if denied {
        return Vec::new();
    }
    docs.iter()
        .flat_map(|d| d.statements())
        .filter(|s| s.effect == Effect::Allow && s.covers_action(action))
        .filter(|s| !(OWN_CREDENTIALS.contains(&action) && only_own_user(s)))
        .collect()
}

/// A statement as a person finds it in the policy: its `Sid`, or its position.
fn statement_name(doc: &PolicyDocument, st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.is_empty() => sid.clone(),
        _ => {
            let n = doc
                .statements()
                .iter()
                .position(|x| std::ptr::eq(x, st))
                .map_or(0, |i| i + 1);
            format!("statement {n}")
        }
    }
}

fn quote(st: &[&Statement]) -> String {
    st.iter()
        .map(|s| s.raw.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The statements of a trust policy that let any AWS principal assume the role, with no
/// condition.
fn open_trust(doc: &PolicyDocument) -> Vec<&Statement> {
    doc.statements()
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.principal_is_anyone() && s.condition.is_none())
        .collect()
}

/// Names of the roles any AWS principal may assume ([`open_trust`]). An attacker assumes them
/// from an account of their own, so whoever can change such a role's permissions needs no
/// `sts:AssumeRole` of its own to use them.
fn open_roles(a: &AuthorizationDetails) -> Vec<&str> {
    a.role_detail_list
        .iter()
        .filter(|r| !is_service_linked(r))
        .filter(|r| {
            r.assume_role_policy_document
                .as_ref()
                .is_some_and(|d| !open_trust(d).is_empty())
        })
        .map(|r| r.role_name.as_str())
        .collect()
}

/// How a principal without `sts:AssumeRole` still gets into a role it changes: one that anyone
/// may assume.
fn open_role_note(open: &[&str]) -> Option<String> {
    let first = open.first()?;
    let more = match open.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    Some(format!(
        "role {first}{more} may be assumed by any AWS principal, from an account of the attacker's (iam-role-trust-anyone), so no sts:AssumeRole is needed"
    ))
}

pub fn privilege_escalation(ctx: &Ctx, out: &mut Out) {
    let Some(a) = out.need(&ctx.snap.authorization, DETAILS, &ctx.account) else {
        return;
    };
    let open = open_role_note(&open_roles(a));
    for p in principals(a) {
        if !admin_reasons(&p).is_empty() {
            // Already an administrator: reported by iam-admin-principal.
            continue;
        }
        let docs: Vec<&PolicyDocument> = p.policies.iter().filter_map(|a| a.doc).collect();
        // Each action is asked about by several methods: answer it once per principal.
        let mut granted: BTreeMap<&str, bool> = BTreeMap::new();
        let mut found = Vec::new();
        for (name, actions) in ESCALATION_METHODS {
            // A role acts as itself: it needs no sts:AssumeRole to use what it attaches.
            let needed: Vec<&str> = actions
                .iter()
                .copied()
                .filter(|a| !(p.kind == "role" && *a == "sts:AssumeRole"))
                .collect();
            // Which statement grants which action: (policy, statement) → actions, in order.
            let mut by: Vec<(String, Vec<&str>)> = Vec::new();
            let mut via_open_role = None;
            let mut complete = true;
            for act in &needed {
                let any = *granted
                    .entry(act)
                    .or_insert_with(|| !grants_any(&docs, act).is_empty());
                if !any && *act == "sts:AssumeRole" && open.is_some() {
                    via_open_role = open.as_deref();
                    continue;
                }
                if !any {
                    complete = false;
                    break;
                }
                for ap in &p.policies {
                    let Some(d) = ap.doc else { continue };
                    for st in grants_any(&[d], act) {
                        let where_ = format!("{} [{}]", ap.label, statement_name(d, st));
                        match by.iter_mut().find(|(w, _)| *w == where_) {
                            Some((_, acts)) => acts.push(act),
                            None => by.push((where_, vec![act])),
                        }
                    }
                }
            }
            if complete {
                let grants: Vec<String> = by
                    .iter()
                    .map(|(w, acts)| format!("{w} grants {}", acts.join(", ")))
                    .chain(via_open_role.map(str::to_string))
                    .collect();
                found.push(format!("{name}: {}", grants.join("; ")));
            }
        }
        let unknown: Vec<&str> = p
            .policies
            .iter()
            .filter(|a| a.doc.is_none())
            .map(|a| a.label.as_str())
            .collect();
        if !found.is_empty() {
            out.fail(
                p.arn,
                format!(
                    "{} {} can make itself an administrator: {}",
                    p.kind,
                    p.name,
                    found.join(" | ")
                ),
            );
        } else if !unknown.is_empty() {
            out.gap(
                p.arn,
                format!(
                    "documents of {} are not in the authorization details",
                    unknown.join(", ")
                ),
            );
        } else {
            out.pass(p.arn, "no known privilege-escalation method");
        }
    }
}

fn roles<'a>(ctx: &'a Ctx, out: &mut Out) -> impl Iterator<Item = &'a RoleDetail> {
    out.need(&ctx.snap.authorization, DETAILS, &ctx.account)
        .into_iter()
        .flat_map(|a| a.role_detail_list.iter())
        .filter(|r| !is_service_linked(r))
}

pub fn role_trust_anyone(ctx: &Ctx, out: &mut Out) {
    for r in roles(ctx, out).collect::<Vec<_>>() {
        let Some(doc) = &r.assume_role_policy_document else {
            out.gap(&r.arn, "no trust policy in the authorization details");
            continue;
        };
        let open = open_trust(doc);
        if open.is_empty() {
            out.pass(&r.arn, "the trust policy names its principals");
        } else {
            out.fail(
                &r.arn,
                format!(
                    "role {} may be assumed by any AWS principal: {}",
                    r.role_name,
                    quote(&open)
                ),
            );
        }
    }
}

pub fn role_trust_oidc_unscoped(ctx: &Ctx, out: &mut Out) {
    for r in roles(ctx, out).collect::<Vec<_>>() {
        let Some(doc) = &r.assume_role_policy_document else {
            continue;
        };
        let web: Vec<&Statement> = doc
            .statements()
            .iter()
            .filter(|s| {
                s.effect == Effect::Allow
                    && s.principals("Federated")
                        .iter()
                        .any(|f| f.contains("oidc-provider/") || !f.starts_with("arn:"))
                    && s.covers_action("sts:AssumeRoleWithWebIdentity")
            })
            .collect();
        if web.is_empty() {
            continue;
        }
        let unscoped: Vec<&Statement> = web.iter().copied().filter(|s| !web_scoped(s)).collect();
        if unscoped.is_empty() {
            out.pass(
                &r.arn,
                "web-identity trust is limited by the token's subject (for Cognito, the identity pool)",
            );
        } else {
            out.fail(
                &r.arn,
                format!(
                    "role {} trusts an OIDC provider without a condition that narrows the token's subject (`sub`): any repository or workload of that provider may assume it: {}",
                    r.role_name,
                    quote(&unscoped)
                ),
            );
        }
    }
}

/// Whether a web-identity trust statement names who may use it: a `sub` condition that
/// narrows the subject (not `*`, not GitHub's `repo:*...`), or, for Amazon Cognito identity
/// pools, whose tokens' subject is a per-user identity id, the pool id in `aud`.
fn web_scoped(s: &Statement) -> bool {
    let tests = |key: &dyn Fn(&str) -> bool| {
        s.condition
            .as_ref()
            .and_then(|c| c.as_object())
            .into_iter()
            .flatten()
            .filter(|(op, _)| {
                let op = op.to_ascii_lowercase();
                !op.contains("not") && (op.contains("stringequals") || op.contains("stringlike"))
            })
            .filter_map(|(_, block)| block.as_object())
            .flatten()
            .filter(|(k, _)| key(&k.to_ascii_lowercase()))
            .map(|(_, v)| match v {
                serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
                v => v.as_str().into_iter().collect::<Vec<_>>(),
            })
            .any(|vals| !vals.is_empty() && vals.iter().all(|v| narrows(v)))
    };
    let cognito = s
        .principals("Federated")
        .iter()
        .all(|f| f.starts_with("cognito-identity."));
    tests(&|k| k.ends_with(":sub"))
        || (cognito && tests(&|k| k.starts_with("cognito-identity.") && k.ends_with(":aud")))
}

/// A condition value that leaves something literal before its first wildcard (a leading
/// `repo:`, GitHub's claim prefix, does not count).
fn narrows(v: &str) -> bool {
    let literal = v.split(['*', '?']).next().unwrap_or("");
    let literal = literal.strip_prefix("repo:").unwrap_or(literal);
    !literal.is_empty()
}

pub fn role_unused(ctx: &Ctx, out: &mut Out) {
    let limit = ctx.settings.unused_days;
    for r in roles(ctx, out).collect::<Vec<_>>() {
        let last = r
            .role_last_used
            .as_ref()
            .and_then(|u| u.last_used_date.as_deref())
            .and_then(|d| ctx.days_since(d));
        let age = r.create_date.as_deref().and_then(|d| ctx.days_since(d));
        match (last, age) {
            (Some(d), _) if d > limit => out.fail(
                &r.arn,
                format!("role {} was last used {d} days ago", r.role_name),
            ),
            (Some(d), _) => out.pass(&r.arn, format!("used {d} days ago")),
            (None, Some(a)) if a > limit => out.fail(
                &r.arn,
                format!(
                    "role {} has never been used since it was created {a} days ago",
                    r.role_name
                ),
            ),
            (None, Some(_)) => out.pass(&r.arn, "created recently"),
            (None, None) => out.gap(&r.arn, "no creation or last-used date"),
        }
    }
}
