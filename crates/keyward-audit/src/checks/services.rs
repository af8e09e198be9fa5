//! Detection and logging services: CloudTrail, Config, GuardDuty, Security Hub, IAM Access
//! Analyzer, region by region, and the organization's tag-enforcing SCP. Without them a leaked
//! key is used unseen.

use keyward_core::policy::Effect;
use keyward_core::PolicyDocument;

use crate::check::{Ctx, Out};
use crate::model::{EventSelectors, Trail};
use crate::snapshot::{Answer, RegionSnapshot};

fn each_region<'a>(ctx: &'a Ctx, out: &mut Out) -> Vec<(&'a str, &'a RegionSnapshot)> {
    if ctx.snap.regions.is_empty() {
        out.gap(&ctx.account, "no region was collected");
    }
    ctx.snap
        .regions
        .iter()
        .map(|(r, s)| (r.as_str(), s))
        .collect()
}

/// Whether a trail's selectors log both read and write management events.
fn logs_all_management(sel: &EventSelectors) -> bool {
    let basic = sel.event_selectors.iter().any(|s| {
        s.include_management_events.unwrap_or(true)
            && s.read_write_type.as_deref().unwrap_or("All") == "All"
            && s.exclude_management_event_sources.is_empty()
    });
    let advanced = sel.advanced_event_selectors.iter().any(|a| {
        let management = a
            .field_selectors
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
        let narrowed = a
            .field_selectors
            .iter()
            .any(|f| f.field == "readOnly" || f.field == "eventSource");
        management && !narrowed
    });
    basic || advanced
}

pub fn cloudtrail_multi_region(ctx: &Ctx, out: &mut Out) {
    let resource = ctx.account.clone();
    let mut seen_any = false;
    let mut gaps = Vec::new();
    let mut notes = Vec::new();
    for (region, reg) in each_region(ctx, out) {
        let trails = match &reg.trails {
            Answer::Ok(t) => t,
            a => {
                gaps.push(
                    a.gap(&format!("{region} describe-trails"))
                        .unwrap_or_default(),
                );
                continue;
            }
        };
        seen_any = true;
        // Each multi-Region trail shows in every region; judge it in its home region, where
        // its status and selectors were asked.
        for t in &trails.trail_list {
            if !home(t, region) {
                // A trail seen here whose home region was not collected cannot be judged.
                let h = t.home_region.as_deref().unwrap_or_default();
                if !ctx.snap.regions.contains_key(h) && t.is_multi_region_trail == Some(true) {
                    gaps.push(format!("{} lives in {h}, which was not collected", t.name));
                }
                continue;
            }
            if t.is_multi_region_trail != Some(true) {
                notes.push(format!("{} is single-Region", t.name));
                continue;
            }
            let logging = reg
                .trail_status
                .get(&t.name)
                .and_then(|a| a.ok())
                .and_then(|s| s.is_logging);
            let selectors = reg.event_selectors.get(&t.name).and_then(|a| a.ok());
            match (logging, selectors) {
                (Some(true), Some(sel)) if logs_all_management(sel) => {
                    out.pass(
                        &resource,
                        format!(
                            "multi-Region trail {} logs read and write management events",
                            t.name
                        ),
                    );
                    return;
                }
                (Some(false), _) => notes.push(format!("{} is not logging", t.name)),
                (Some(true), Some(_)) => {
                    notes.push(format!("{} does not log all management events", t.name))
                }
                _ => gaps.push(format!(
                    "status or event selectors of {} not collected",
                    t.name
                )),
            }
        }
    }
    gaps.sort();
    gaps.dedup();
    if !gaps.is_empty() {
        out.gap(&resource, gaps.join("; "));
    } else if seen_any {
        let why = if notes.is_empty() {
            "no trail".to_string()
        } else {
            notes.join("; ")
        };
        out.fail(
            &resource,
            format!("no multi-Region trail logs read and write management events ({why})"),
        );
    }
}

fn home(t: &Trail, region: &str) -> bool {
    t.home_region.as_deref().is_none_or(|h| h == region)
}

pub fn cloudtrail_log_file_validation(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in each_region(ctx, out) {
        out.region(Some(region));
        let Some(trails) = out.need(&reg.trails, "describe-trails", region) else {
            continue;
        };
        for t in trails.trail_list.iter().filter(|t| home(t, region)) {
            let arn = t
                .trail_arn
                .clone()
                .unwrap_or_else(|| format!("{region}/{}", t.name));
            if t.log_file_validation_enabled == Some(true) {
                out.pass(&arn, "log file validation is on");
            } else {
                out.fail(
                    &arn,
                    format!("trail {} does not validate its log files", t.name),
                );
            }
        }
    }
}

pub fn config_recorder(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in each_region(ctx, out) {
        out.region(Some(region));
        let resource = format!("{}/{region}", ctx.account);
        let Some(recs) = out.need(
            &reg.config_recorders,
            "describe-configuration-recorders",
            &resource,
        ) else {
            continue;
        };
        if recs.configuration_recorders.is_empty() {
            out.fail(
                &resource,
                "AWS Config has no configuration recorder in this region",
            );
            continue;
        }
        let Some(status) = out.need(
            &reg.config_recorder_status,
            "describe-configuration-recorder-status",
            &resource,
        ) else {
            continue;
        };
        let recording: Vec<&str> = status
            .configuration_recorders_status
            .iter()
            .filter(|s| s.recording == Some(true))
            .map(|s| s.name.as_str())
            .collect();
        if recording.is_empty() {
            out.fail(&resource, "the Config recorder exists but is not recording");
        } else {
            out.pass(
                &resource,
                format!("recorder {} is recording", recording.join(", ")),
            );
        }
    }
}

pub fn guardduty(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in each_region(ctx, out) {
        out.region(Some(region));
        let resource = format!("{}/{region}", ctx.account);
        let Some(list) = out.need(
            &reg.guardduty_detectors,
            "guardduty list-detectors",
            &resource,
        ) else {
            continue;
        };
        if list.detector_ids.is_empty() {
            out.fail(&resource, "GuardDuty has no detector in this region");
            continue;
        }
        let mut enabled = false;
        let mut gaps = Vec::new();
        for id in &list.detector_ids {
            match reg.guardduty_detector.get(id) {
                Some(Answer::Ok(d)) => enabled |= d.status.as_deref() == Some("ENABLED"),
                Some(a) => gaps.push(a.gap(&format!("detector {id}")).unwrap_or_default()),
                None => gaps.push(format!("detector {id}: not collected")),
            }
        }
        if enabled {
            out.pass(&resource, "a GuardDuty detector is enabled");
        } else if gaps.is_empty() {
            out.fail(&resource, "the GuardDuty detector is suspended");
        } else {
            out.gap(&resource, gaps.join("; "));
        }
    }
}

pub fn securityhub_fsbp(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in each_region(ctx, out) {
        out.region(Some(region));
        let resource = format!("{}/{region}", ctx.account);
        match &reg.securityhub_standards {
            Answer::Failed(e) if e.code == "InvalidAccessException" => {
                out.fail(&resource, "Security Hub is not enabled in this region");
            }
            a => {
                let Some(s) = out.need(a, "securityhub get-enabled-standards", &resource) else {
                    continue;
                };
                let fsbp = s.standards_subscriptions.iter().any(|s| {
                    s.standards_arn
                        .contains("aws-foundational-security-best-practices")
                        && s.standards_status.as_deref().is_none_or(|st| st == "READY")
                });
                if fsbp {
                    out.pass(&resource, "Security Hub runs the FSBP standard");
                } else {
                    out.fail(
                        &resource,
                        "Security Hub is on but the FSBP standard is not enabled",
                    );
                }
            }
        }
    }
}

pub fn access_analyzer(ctx: &Ctx, out: &mut Out) {
    for (region, reg) in each_region(ctx, out) {
        out.region(Some(region));
        let resource = format!("{}/{region}", ctx.account);
        let Some(list) = out.need(&reg.analyzers, "accessanalyzer list-analyzers", &resource)
        else {
            continue;
        };
        // Unused-access analyzers do not report external access; only these two kinds do.
        let active: Vec<&str> = list
            .analyzers
            .iter()
            .filter(|a| a.status.as_deref().is_none_or(|s| s == "ACTIVE"))
            .filter(|a| {
                a.kind
                    .as_deref()
                    .is_none_or(|k| k == "ACCOUNT" || k == "ORGANIZATION")
            })
            .map(|a| a.name.as_str())
            .collect();
        if active.is_empty() {
            out.fail(&resource, "no active IAM Access Analyzer in this region");
        } else {
            out.pass(
                &resource,
                format!("analyzer {} is active", active.join(", ")),
            );
        }
    }
}

pub fn scp_tag_enforcement(ctx: &Ctx, out: &mut Out) {
    let resource = ctx.account.clone();
    let org = match &ctx.snap.organization {
        Answer::Failed(e) if e.code == "AWSOrganizationsNotInUseException" => return,
        a => match out.need(a, "organizations describe-organization", &resource) {
            Some(o) => o,
            None => return,
        },
    };
    let org_label = org.organization.arn.clone().unwrap_or(resource);
    let mut gaps = Vec::new();
    let mut enforcing = Vec::new();
    for (id, a) in &ctx.snap.service_control_policies {
        let Some(p) = a.ok() else {
            gaps.push(a.gap(&format!("SCP {id}")).unwrap_or_default());
            continue;
        };
        let Some(doc) = p
            .policy
            .content
            .as_deref()
            .and_then(|c| PolicyDocument::parse(c).ok())
        else {
            gaps.push(format!("SCP {id}: content is not a policy document"));
            continue;
        };
        let tags = doc.statements().iter().any(|s| {
            s.effect == Effect::Deny
                && (s.covers_action("iam:CreateUser") || s.covers_action("iam:CreateRole"))
                && s.condition_keys()
                    .iter()
                    .any(|k| k.starts_with("aws:requesttag/") || k == "aws:tagkeys")
        });
        if tags {
            enforcing.push(
                p.policy
                    .policy_summary
                    .name
                    .clone()
                    .unwrap_or_else(|| id.clone()),
            );
        }
    }
    if !enforcing.is_empty() {
        out.pass(
            &org_label,
            format!(
                "SCP {} requires tags on new users and roles",
                enforcing.join(", ")
            ),
        );
    } else if ctx.snap.service_control_policies.is_empty() || !gaps.is_empty() {
        if gaps.is_empty() {
            out.fail(&org_label, "the organization has no service control policy that requires tags on iam:CreateUser or iam:CreateRole (none collected)");
        } else {
            out.gap(&org_label, gaps.join("; "));
        }
    } else {
        out.fail(
            &org_label,
            "no service control policy denies iam:CreateUser or iam:CreateRole without request tags",
        );
    }
}
