//! Workloads: Lambda functions, ECS task definitions, SSM parameters and security groups. The
//! plaintext-secret checks run `keyward scan`'s secret rules over the values these hold.

use keyward_core::policy::Effect;
use keyward_core::PolicyDocument;

use crate::check::{Ctx, Out};
use crate::snapshot::Answer;

fn regions<'a>(
    ctx: &'a Ctx,
) -> impl Iterator<Item = (&'a str, &'a crate::snapshot::RegionSnapshot)> {
    ctx.snap.regions.iter().map(|(r, s)| (r.as_str(), s))
}

pub fn lambda_public(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(fns) = out.need(&reg.lambda_functions, "lambda list-functions", region) else {
            continue;
        };
        for f in &fns.functions {
            let arn = f
                .function_arn
                .clone()
                .unwrap_or_else(|| f.function_name.clone());
            match reg.lambda_policies.get(&f.function_name) {
                None => out.gap(&arn, "lambda get-policy: not collected"),
                Some(Answer::Failed(e)) if e.code == "ResourceNotFoundException" => {
                    out.pass(&arn, "no resource policy")
                }
                Some(a) => {
                    let Some(p) = out.need(a, "lambda get-policy", &arn) else {
                        continue;
                    };
                    let Some(doc) = p
                        .policy
                        .as_deref()
                        .and_then(|t| PolicyDocument::parse(t).ok())
                    else {
                        out.gap(&arn, "the function policy is not a policy document");
                        continue;
                    };
                    let open: Vec<String> = doc
                        .statements()
                        .iter()
                        .filter(|s| {
                            s.effect == Effect::Allow
                                && s.principal_is_anyone()
                                && s.condition_keys()
                                    .iter()
                                    .all(|k| NOT_WHO.contains(&k.as_str()))
                        })
                        .map(|s| s.sid.clone().unwrap_or_else(|| s.raw.to_string()))
                        .collect();
                    if open.is_empty() {
                        out.pass(&arn, "the function policy names its principals");
                    } else {
                        out.fail(
                            &arn,
                            format!(
                                "anyone may invoke {}: statement {}",
                                f.function_name,
                                open.join(", ")
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Condition keys that say how a function is called, not who may call it: a function URL with
/// auth type `NONE` is granted to `*` under these alone, and anyone on the internet can call it.
const NOT_WHO: &[&str] = &["lambda:functionurlauthtype", "lambda:invokedviafunctionurl"];

/// Lambda runtimes and the date AWS deprecated them (Lambda runtime deprecation policy).
const DEPRECATED_RUNTIMES: &[(&str, &str)] = &[
    ("nodejs", "2016-10-31"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs18.x", "2025-09-01"),
    ("nodejs20.x", "2026-04-30"),
    ("python2.7", "2021-07-15"),
    ("python3.6", "2022-07-18"),
    ("python3.7", "2023-12-04"),
    ("python3.8", "2024-10-14"),
    ("python3.9", "2025-12-15"),
    ("ruby2.5", "2021-07-30"),
    ("ruby2.7", "2023-12-07"),
    ("ruby3.2", "2026-03-31"),
    ("java8", "2024-01-08"),
    ("go1.x", "2024-01-08"),
    ("provided", "2024-01-08"),
    ("dotnetcore1.0", "2019-07-30"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnet6", "2024-12-20"),
    ("dotnet7", "2024-05-14"),
    ("dotnet8", "2026-11-10"),
];

pub fn lambda_runtime(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(fns) = out.need(&reg.lambda_functions, "lambda list-functions", region) else {
            continue;
        };
        for f in &fns.functions {
            let arn = f
                .function_arn
                .clone()
                .unwrap_or_else(|| f.function_name.clone());
            let Some(rt) = f.runtime.as_deref() else {
                // Container images carry their own runtime.
                continue;
            };
            let dep = DEPRECATED_RUNTIMES
                .iter()
                .find(|(r, _)| *r == rt)
                .filter(|(_, d)| ctx.days_since(d).is_some_and(|n| n >= 0));
            match dep {
                Some((_, date)) => out.fail(
                    &arn,
                    format!("{} runs {rt}, deprecated since {date}", f.function_name),
                ),
                None => out.pass(&arn, format!("runtime {rt} is supported")),
            }
        }
    }
}

/// Secret rules over `NAME=value` lines; returns one description per secret found (rule and
/// the variable's name, never the value).
pub(super) fn secrets_in(ctx: &Ctx, vars: &[(&str, &str)]) -> Vec<String> {
    let Some(m) = ctx.secrets else {
        return Vec::new();
    };
    let mut text = String::new();
    let mut starts = Vec::new();
    for (k, v) in vars {
        starts.push(text.len());
        // One variable per line, as a .env file holds them: the rules that key on a name
        // (`AWS_SECRET_ACCESS_KEY=`) see it.
        text.push_str(k);
        text.push('=');
        text.push_str(&v.replace('\n', " "));
        text.push('\n');
    }
    let report = m.scan(text.as_bytes());
    let mut found: Vec<String> = report
        .matches
        .iter()
        .map(|hit| {
            let i = starts
                .partition_point(|s| *s <= hit.start)
                .saturating_sub(1);
            let name = vars.get(i).map(|(k, _)| *k).unwrap_or("?");
            let rule = m
                .rules()
                .get(hit.rule)
                .map(|r| r.def.id.as_str())
                .unwrap_or("?");
            format!(
                "{name} holds {rule} ({})",
                keyward_core::Secret::new(hit.secret.clone())
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Whether the secret rules are there; if not, a "not evaluated" outcome says so (a check that
/// cannot look for secrets must not report that it found none).
fn have_rules(ctx: &Ctx, out: &mut Out) -> bool {
    if ctx.secrets.is_none() {
        out.gap(
            &ctx.account,
            "keyward scan's secret rules could not be loaded",
        );
    }
    ctx.secrets.is_some()
}

pub fn lambda_env_secrets(ctx: &Ctx, out: &mut Out) {
    if !have_rules(ctx, out) {
        return;
    }
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(fns) = out.need(&reg.lambda_functions, "lambda list-functions", region) else {
            continue;
        };
        for f in &fns.functions {
            let arn = f
                .function_arn
                .clone()
                .unwrap_or_else(|| f.function_name.clone());
            let vars: Vec<(&str, &str)> = f
                .environment
                .iter()
                .flat_map(|e| e.variables.iter())
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let found = secrets_in(ctx, &vars);
            if found.is_empty() {
                out.pass(
                    &arn,
                    format!("{} environment variables, no secret", vars.len()),
                );
            } else {
                out.fail(&arn, format!("{}: {}", f.function_name, found.join("; ")));
            }
        }
    }
}

pub fn ecs_env_secrets(ctx: &Ctx, out: &mut Out) {
    if !have_rules(ctx, out) {
        return;
    }
    each_task_definition(ctx, out, |td, arn, out| {
        let mut found = Vec::new();
        for c in &td.container_definitions {
            let vars: Vec<(&str, &str)> = c
                .environment
                .iter()
                .filter_map(|kv| Some((kv.name.as_deref()?, kv.value.as_deref()?)))
                .collect();
            found.extend(
                secrets_in(ctx, &vars)
                    .into_iter()
                    .map(|s| format!("container {}: {s}", c.name)),
            );
        }
        if found.is_empty() {
            out.pass(arn, "no secret in container environments");
        } else {
            out.fail(arn, found.join("; "));
        }
    });
}

fn each_task_definition(
    ctx: &Ctx,
    out: &mut Out,
    mut judge: impl FnMut(&crate::model::TaskDefinition, &str, &mut Out),
) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        if let Answer::Failed(_) = &reg.ecs_task_definition_list {
            out.gap(
                region,
                reg.ecs_task_definition_list
                    .gap("ecs list-task-definitions")
                    .unwrap_or_default(),
            );
        }
        for (key, a) in &reg.ecs_task_definitions {
            let Some(d) = out.need(a, "ecs describe-task-definition", key) else {
                continue;
            };
            let td = &d.task_definition;
            let arn = td
                .task_definition_arn
                .clone()
                .unwrap_or_else(|| format!("{}:{}", td.family, td.revision.unwrap_or_default()));
            judge(td, &arn, out);
        }
    }
}

pub fn ecs_privileged(ctx: &Ctx, out: &mut Out) {
    each_task_definition(ctx, out, |td, arn, out| {
        let p: Vec<&str> = td
            .container_definitions
            .iter()
            .filter(|c| c.privileged == Some(true))
            .map(|c| c.name.as_str())
            .collect();
        if p.is_empty() {
            out.pass(arn, "no privileged container");
        } else {
            out.fail(arn, format!("privileged containers: {}", p.join(", ")));
        }
    });
}

pub fn ecs_host_pid(ctx: &Ctx, out: &mut Out) {
    each_task_definition(ctx, out, |td, arn, out| {
        if td.pid_mode.as_deref() == Some("host") {
            out.fail(
                arn,
                format!(
                    "task definition {} shares the host's process namespace",
                    td.family
                ),
            );
        } else {
            out.pass(arn, "own process namespace");
        }
    });
}

pub fn ecs_host_network_root(ctx: &Ctx, out: &mut Out) {
    each_task_definition(ctx, out, |td, arn, out| {
        if td.network_mode.as_deref() != Some("host") {
            return;
        }
        let bad: Vec<String> = td
            .container_definitions
            .iter()
            .filter_map(|c| {
                let root = matches!(
                    c.user.as_deref(),
                    None | Some("") | Some("root") | Some("0")
                ) || c
                    .user
                    .as_deref()
                    .is_some_and(|u| u.starts_with("0:") || u.starts_with("root:"));
                if c.privileged == Some(true) {
                    Some(format!("{} is privileged", c.name))
                } else if root {
                    Some(format!("{} runs as root", c.name))
                } else {
                    None
                }
            })
            .collect();
        if bad.is_empty() {
            out.pass(
                arn,
                "host network mode with non-root, non-privileged containers",
            );
        } else {
            out.fail(arn, format!("host network mode and {}", bad.join(", ")));
        }
    });
}

pub fn ssm_plaintext_secrets(ctx: &Ctx, out: &mut Out) {
    if !have_rules(ctx, out) {
        return;
    }
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(params) = out.need(&reg.ssm_parameters, "ssm get-parameters-by-path", region)
        else {
            continue;
        };
        for p in &params.parameters {
            if p.kind.as_deref() == Some("SecureString") {
                continue;
            }
            let arn = p.arn.clone().unwrap_or_else(|| p.name.clone());
            let leaf = p.name.rsplit('/').next().unwrap_or(&p.name);
            let found = secrets_in(ctx, &[(leaf, p.value.as_deref().unwrap_or(""))]);
            if found.is_empty() {
                out.pass(&arn, "no secret in the value");
            } else {
                out.fail(
                    &arn,
                    format!(
                        "{} parameter {}: {}",
                        p.kind.as_deref().unwrap_or("String"),
                        p.name,
                        found.join("; ")
                    ),
                );
            }
        }
    }
}

/// Ports that must never be open to the world (FSBP EC2.19).
const HIGH_RISK_PORTS: &[i64] = &[
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
];

/// Each ingress rule open to `0.0.0.0/0` or `::/0`: (from, to) ports, all ports for `-1`.
fn open_ranges(p: &crate::model::IpPermission) -> Option<(i64, i64)> {
    let world = p.ip_ranges.iter().any(|r| r.cidr_ip == "0.0.0.0/0")
        || p.ipv6_ranges.iter().any(|r| r.cidr_ipv6 == "::/0");
    if !world {
        return None;
    }
    if p.ip_protocol.as_deref() == Some("-1") {
        return Some((0, 65535));
    }
    Some((p.from_port.unwrap_or(0), p.to_port.unwrap_or(65535)))
}

fn each_group(
    ctx: &Ctx,
    out: &mut Out,
    mut judge: impl FnMut(&crate::model::SecurityGroup, &str, &mut Out),
) {
    for (region, reg) in regions(ctx) {
        out.region(Some(region));
        let Some(sgs) = out.need(&reg.security_groups, "ec2 describe-security-groups", region)
        else {
            continue;
        };
        for g in &sgs.security_groups {
            let arn = format!(
                "arn:aws:ec2:{region}:{}:security-group/{}",
                g.owner_id.as_deref().unwrap_or(&ctx.account),
                g.group_id
            );
            judge(g, &arn, out);
        }
    }
}

pub fn default_sg_closed(ctx: &Ctx, out: &mut Out) {
    each_group(ctx, out, |g, arn, out| {
        if g.group_name.as_deref() != Some("default") {
            return;
        }
        let (i, e) = (g.ip_permissions.len(), g.ip_permissions_egress.len());
        if i + e == 0 {
            out.pass(arn, "the default security group allows no traffic");
        } else {
            out.fail(
                arn,
                format!(
                    "the default security group of {} has {i} inbound and {e} outbound rules",
                    g.vpc_id.as_deref().unwrap_or("its VPC")
                ),
            );
        }
    });
}

pub fn sg_high_risk_ports(ctx: &Ctx, out: &mut Out) {
    each_group(ctx, out, |g, arn, out| {
        let mut open: Vec<i64> = g
            .ip_permissions
            .iter()
            .filter_map(open_ranges)
            .flat_map(|(from, to)| {
                HIGH_RISK_PORTS
                    .iter()
                    .copied()
                    .filter(move |p| *p >= from && *p <= to)
            })
            .collect();
        open.sort_unstable();
        open.dedup();
        if open.is_empty() {
            out.pass(arn, "no high-risk port open to the internet");
        } else {
            let ports: Vec<String> = open.iter().map(i64::to_string).collect();
            out.fail(
                arn,
                format!(
                    "{} opens {} to 0.0.0.0/0 or ::/0",
                    g.group_id,
                    ports.join(", ")
                ),
            );
        }
    });
}

pub fn sg_unauthorized_ports(ctx: &Ctx, out: &mut Out) {
    let allowed = &ctx.settings.authorized_ports;
    each_group(ctx, out, |g, arn, out| {
        let bad: Vec<String> = g
            .ip_permissions
            .iter()
            .filter_map(open_ranges)
            .filter(|(from, to)| !(from == to && allowed.contains(from)))
            .map(|(from, to)| {
                if from == to {
                    from.to_string()
                } else {
                    format!("{from}-{to}")
                }
            })
            .collect();
        if bad.is_empty() {
            out.pass(arn, "only authorized ports are open to the internet");
        } else {
            out.fail(
                arn,
                format!("{} opens {} to the internet", g.group_id, bad.join(", ")),
            );
        }
    });
}
