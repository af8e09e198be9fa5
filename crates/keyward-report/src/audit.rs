//! Audit reports: the table, ASFF, OCSF and the self-contained HTML page.
//!
//! All four read the one JSON document `keyward audit --format json` prints (account, score,
//! checks with their metadata, findings, not-evaluated outcomes), so that no renderer can
//! disagree with another about what was found.

use comfy_table::{presets, Cell, ContentArrangement, Table};
use keyward_core::Lang;
use serde_json::{json, Value};

use crate::{TOOL_NAME, TOOL_URI};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn prop<'a>(f: &'a Value, k: &str) -> &'a str {
    f.get("properties")
        .and_then(|p| p.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn resource(f: &Value) -> &str {
    f.get("location")
        .and_then(|l| l.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn check<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    arr(doc, "checks").iter().find(|c| s(c, "id") == id)
}

const SEVERITY_ORDER: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn severity_rank(sev: &str) -> usize {
    SEVERITY_ORDER.iter().position(|x| *x == sev).unwrap_or(5)
}

/// Findings most severe first, then by check and resource.
fn sorted_findings(doc: &Value) -> Vec<&Value> {
    let mut f: Vec<&Value> = arr(doc, "findings").iter().collect();
    f.sort_by(|a, b| {
        severity_rank(s(a, "severity"))
            .cmp(&severity_rank(s(b, "severity")))
            .then_with(|| s(a, "rule_id").cmp(s(b, "rule_id")))
            .then_with(|| resource(a).cmp(resource(b)))
    });
    f
}

/// Failed checks per resource, then what could not be evaluated.
pub fn audit_table(doc: &Value, opts: crate::Options, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    let findings = sorted_findings(doc);
    if !findings.is_empty() {
        let mut t = new_table(opts);
        t.set_header(if ja {
            ["重大度", "チェック", "リソース", "詳細"]
        } else {
            ["SEVERITY", "CHECK", "RESOURCE", "DETAIL"]
        });
        for f in findings {
            let region = prop(f, "region");
            let res = if region.is_empty() {
                resource(f).to_string()
            } else {
                format!("{}\n({region})", resource(f))
            };
            t.add_row(vec![
                crate::table::severity_cell(s(f, "severity"), opts),
                Cell::new(format!("{}\n{}", s(f, "rule_id"), s(f, "title"))),
                Cell::new(res),
                Cell::new(prop(f, "detail")),
            ]);
        }
        out += &format!("{t}\n");
    }
    let gaps = arr(doc, "not_evaluated");
    if !gaps.is_empty() {
        let mut t = new_table(opts);
        t.set_header(if ja {
            ["未評価のチェック", "リソース", "理由"]
        } else {
            ["NOT EVALUATED", "RESOURCE", "WHY"]
        });
        for g in gaps {
            t.add_row(vec![
                Cell::new(s(g, "check")),
                Cell::new(s(g, "resource")),
                Cell::new(s(g, "reason")),
            ]);
        }
        out += &format!("{t}\n");
    }
    out
}

fn new_table(opts: crate::Options) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if t.width().is_none() {
        t.set_width(150);
    }
    if opts.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

/// The AWS Security Finding Format, one finding per failed check and resource, ready for
/// `aws securityhub batch-import-findings --findings file://...` (100 at a time).
pub fn asff(doc: &Value) -> Value {
    let account = s(doc, "account_id");
    let now = s(doc, "as_of");
    let findings: Vec<Value> = sorted_findings(doc)
        .into_iter()
        .map(|f| {
            let region = match prop(f, "region") {
                "" => "us-east-1",
                r => r,
            };
            let c = check(doc, s(f, "rule_id"));
            let label = s(f, "severity").to_ascii_uppercase();
            let label = if label == "INFO" { "INFORMATIONAL".into() } else { label };
            let mut finding = json!({
                "SchemaVersion": "2018-10-08",
                "Id": format!("keyward/{}", s(f, "fingerprint")),
                "ProductArn": format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
                "GeneratorId": format!("keyward/{}", s(f, "rule_id")),
                "AwsAccountId": account,
                "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
                "CreatedAt": now,
                "UpdatedAt": now,
                "Severity": {"Label": label},
                "Title": s(f, "title"),
                "Description": truncate(prop(f, "detail"), 1024),
                "ProductFields": {"ProviderName": TOOL_NAME, "keyward/CheckId": s(f, "rule_id")},
                "Resources": [{
                    "Type": asff_resource_type(resource(f)),
                    "Id": resource(f),
                    "Partition": "aws",
                    "Region": region,
                }],
                "Compliance": {"Status": "FAILED"},
                "RecordState": "ACTIVE",
                "Workflow": {"Status": "NEW"},
            });
            if let Some(c) = c {
                finding["Remediation"] = json!({"Recommendation": {
                    "Text": truncate(s(c, "remediation"), 512),
                    "Url": arr(c, "references").iter().filter_map(Value::as_str).find(|r| r.starts_with("https://")).unwrap_or(TOOL_URI),
                }});
                let controls: Vec<&str> = arr(c, "references")
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|r| r.starts_with("FSBP ") || r.starts_with("CIS "))
                    .collect();
                if !controls.is_empty() {
                    finding["Compliance"]["RelatedRequirements"] = json!(controls);
                }
            }
            finding
        })
        .collect();
    json!(findings)
}

fn asff_resource_type(arn: &str) -> &'static str {
    match arn.split(':').nth(2).unwrap_or("") {
        "iam" if arn.contains(":user/") => "AwsIamUser",
        "iam" if arn.contains(":role/") => "AwsIamRole",
        "iam" if arn.contains(":policy/") => "AwsIamPolicy",
        "lambda" => "AwsLambdaFunction",
        "ecs" => "AwsEcsTaskDefinition",
        "ssm" => "AwsSsmParameter",
        "ec2" => "AwsEc2SecurityGroup",
        "cloudtrail" => "AwsCloudTrailTrail",
        _ => "AwsAccount",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// OCSF 1.1 Compliance Finding (class 2003) events, one per failed check and resource.
pub fn ocsf(doc: &Value) -> Value {
    let now_ms = s(doc, "as_of")
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .unwrap_or(0);
    let events: Vec<Value> = sorted_findings(doc)
        .into_iter()
        .map(|f| {
            let sev = s(f, "severity");
            let (severity_id, severity) = match sev {
                "critical" => (5, "Critical"),
                "high" => (4, "High"),
                "medium" => (3, "Medium"),
                "low" => (2, "Low"),
                _ => (1, "Informational"),
            };
            let c = check(doc, s(f, "rule_id"));
            let region = prop(f, "region");
            json!({
                "class_uid": 2003,
                "class_name": "Compliance Finding",
                "category_uid": 2,
                "category_name": "Findings",
                "activity_id": 1,
                "activity_name": "Create",
                "type_uid": 200301,
                "time": now_ms,
                "severity_id": severity_id,
                "severity": severity,
                "status_id": 1,
                "status": "New",
                "metadata": {
                    "version": "1.1.0",
                    "product": {"name": "Keyward", "vendor_name": "Keyward", "url_string": TOOL_URI, "version": s(doc, "version")},
                },
                "cloud": {"provider": "AWS", "account": {"uid": s(doc, "account_id"), "type": "AWS Account", "type_id": 10}, "region": region},
                "finding_info": {
                    "uid": s(f, "fingerprint"),
                    "title": s(f, "title"),
                    "desc": prop(f, "detail"),
                    "types": [prop(f, "service")],
                },
                "compliance": {
                    "status_id": 3,
                    "status": "Fail",
                    "control": s(f, "rule_id"),
                    "requirements": c.map(|c| arr(c, "references").iter().filter_map(Value::as_str).filter(|r| !r.starts_with("http")).collect::<Vec<_>>()).unwrap_or_default(),
                    "standards": ["AWS Foundational Security Best Practices", "CIS AWS Foundations Benchmark"],
                },
                "remediation": {"desc": c.map(|c| s(c, "remediation")).unwrap_or("")},
                "resources": [{"uid": resource(f), "region": region, "cloud_partition": "aws"}],
            })
        })
        .collect();
    json!(events)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Inline-code spans (`...`) in remediation text as `<code>`; everything escaped.
fn rich(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            out += &format!("<code>{}</code>", esc(part));
        } else {
            out += &esc(part);
        }
    }
    out
}

const CSS: &str = r#"
:root{--crit:#b3123b;--high:#d9480f;--med:#e8a317;--low:#1c7ed6;--info:#868e96;--ok:#2b8a3e;--bg:#f8f9fa;--fg:#212529}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",Meiryo,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1b1f3b;color:#fff;padding:24px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.8}
main{max-width:1200px;margin:0 auto;padding:24px 32px}
.cards{display:flex;flex-wrap:wrap;gap:16px;margin-bottom:24px}.card{background:#fff;border-radius:10px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:150px}
.card .big{font-size:40px;font-weight:700}.card .lbl{color:#495057;font-size:13px}
.bar{height:10px;border-radius:5px;background:#e9ecef;overflow:hidden;margin-top:6px}.bar span{display:block;height:100%;background:var(--ok)}
h2{font-size:18px;margin:28px 0 12px}table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid #e9ecef;vertical-align:top}th{background:#f1f3f5;font-size:13px}
td.res{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.critical{background:var(--crit)}.high{background:var(--high)}.medium{background:var(--med)}.low{background:var(--low)}.info{background:var(--info)}
.PASSED{color:var(--ok);font-weight:600}.NOT_APPLICABLE{color:var(--info)}.FAILED{color:var(--crit);font-weight:600}.NOT_EVALUATED{color:var(--info)}
details{background:#fff;border-radius:10px;margin-bottom:10px;box-shadow:0 1px 3px rgba(0,0,0,.08)}summary{cursor:pointer;padding:12px 16px;font-weight:600}
details .body{padding:0 16px 16px}code{background:#f1f3f5;padding:1px 4px;border-radius:4px;font-size:90%}
footer{color:#868e96;font-size:12px;padding:24px 32px;text-align:center}
"#;

/// A self-contained HTML page (no script, no external resource): score, findings by severity
/// and service with each check's remediation, every check's status, and what was not evaluated.
pub fn audit_html(doc: &Value, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let t = |en: &'static str, jp: &'static str| if ja { jp } else { en };
    let score = doc.get("score").cloned().unwrap_or(Value::Null);
    let pct = score.get("percent").and_then(Value::as_f64);
    let num = |k: &str| score.get(k).and_then(Value::as_u64).unwrap_or(0);
    let mut h = String::new();
    h += &format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{} {}</title><style>{CSS}</style></head><body>",
        if ja { "ja" } else { "en" },
        t("Keyward audit", "Keyward 監査レポート"),
        esc(s(doc, "account_id"))
    );
    h += &format!(
        "<header><h1>{}</h1><p>{} {} · {} {} · {} {}</p></header><main>",
        t("Keyward audit report", "Keyward 監査レポート"),
        t("Account", "アカウント"),
        esc(s(doc, "account_id")),
        t("as of", "基準日時"),
        esc(s(doc, "as_of")),
        t("source", "取得元"),
        esc(s(doc, "source"))
    );
    // Score cards.
    h += "<section class=\"cards\">";
    h += &format!(
        "<div class=\"card\"><div class=\"lbl\">{}</div><div class=\"big\" id=\"score\">{}</div><div class=\"bar\"><span style=\"width:{:.0}%\"></span></div></div>",
        t("Security score", "セキュリティスコア"),
        pct.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "-".into()),
        pct.unwrap_or(0.0)
    );
    for (k, en, jp) in [
        ("passed", "Controls passed", "合格したコントロール"),
        ("failed", "Controls failed", "不合格のコントロール"),
        ("not_evaluated", "Not evaluated", "未評価"),
        ("not_applicable", "Nothing to check", "対象なし"),
    ] {
        h += &format!(
            "<div class=\"card\"><div class=\"lbl\">{}</div><div class=\"big\">{}</div></div>",
            t(en, jp),
            num(k)
        );
    }
    if let Some(by) = score.get("by_severity").and_then(Value::as_object) {
        for sev in SEVERITY_ORDER {
            if let Some(v) = by.get(sev) {
                let p = v.get("passed").and_then(Value::as_u64).unwrap_or(0);
                let f = v.get("failed").and_then(Value::as_u64).unwrap_or(0);
                let share = if p + f > 0 {
                    p as f64 * 100.0 / (p + f) as f64
                } else {
                    0.0
                };
                h += &format!(
                    "<div class=\"card\"><div class=\"lbl\"><span class=\"sev {sev}\">{sev}</span></div><div class=\"big\">{p}/{}</div><div class=\"bar\"><span style=\"width:{share:.0}%\"></span></div></div>",
                    p + f
                );
            }
        }
    }
    h += "</section>";
    // Findings, grouped by check, most severe first.
    let findings = sorted_findings(doc);
    h += &format!(
        "<h2>{} ({})</h2>",
        t("Findings", "検出事項"),
        findings.len()
    );
    let mut i = 0;
    while i < findings.len() {
        let id = s(findings[i], "rule_id");
        let group: Vec<&Value> = findings[i..]
            .iter()
            .take_while(|f| s(f, "rule_id") == id)
            .copied()
            .collect();
        i += group.len();
        let first = group[0];
        let c = check(doc, id);
        let sev = s(first, "severity");
        h += &format!(
            "<details open class=\"finding\"><summary><span class=\"sev {sev}\">{sev}</span> {} <small>({id} · {} · {})</small></summary><div class=\"body\">",
            esc(s(first, "title")),
            esc(prop(first, "service")),
            group.len()
        );
        if let Some(c) = c {
            h += &format!("<p>{}</p>", rich(s(c, "rationale")));
            h += &format!(
                "<p><strong>{}</strong> {}</p>",
                t("Remediation:", "対処:"),
                rich(s(c, "remediation"))
            );
            let refs: Vec<String> = arr(c, "references")
                .iter()
                .filter_map(Value::as_str)
                .map(|r| {
                    if r.starts_with("https://") {
                        format!("<a href=\"{0}\">{0}</a>", esc(r))
                    } else {
                        esc(r)
                    }
                })
                .collect();
            h += &format!("<p><small>{}</small></p>", refs.join(" · "));
        }
        h += &format!(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("Resource", "リソース"),
            t("Region", "リージョン"),
            t("Detail", "詳細")
        );
        for f in group {
            h += &format!(
                "<tr><td class=\"res\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(resource(f)),
                esc(prop(f, "region")),
                esc(prop(f, "detail"))
            );
        }
        h += "</table></div></details>";
    }
    // Every check.
    h += &format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("All checks", "全チェック"),
        t("Severity", "重大度"),
        t("Check", "チェック"),
        t("Service", "サービス"),
        t("Status", "状態"),
        t(
            "Resources passed / failed / not evaluated",
            "リソース 合格 / 不合格 / 未評価"
        )
    );
    let mut checks: Vec<&Value> = arr(doc, "checks").iter().collect();
    checks.sort_by_key(|c| severity_rank(s(c, "severity")));
    for c in checks {
        let sev = s(c, "severity");
        let status = s(c, "status");
        let n = |k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0);
        h += &format!(
            "<tr><td><span class=\"sev {sev}\">{sev}</span></td><td>{}<br><small>{}</small></td><td>{}</td><td class=\"{status}\">{}</td><td>{} / {} / {}</td></tr>",
            esc(s(c, "title")),
            esc(s(c, "id")),
            esc(s(c, "service")),
            status_text(status, ja),
            n("passed"),
            n("failed"),
            n("not_evaluated")
        );
    }
    h += "</table>";
    let gaps = arr(doc, "not_evaluated");
    if !gaps.is_empty() {
        h += &format!(
            "<h2>{} ({})</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("Not evaluated", "未評価"),
            gaps.len(),
            t("Check", "チェック"),
            t("Resource", "リソース"),
            t("Why", "理由")
        );
        for g in gaps {
            h += &format!(
                "<tr><td>{}</td><td class=\"res\">{}</td><td>{}</td></tr>",
                esc(s(g, "check")),
                esc(s(g, "resource")),
                esc(s(g, "reason"))
            );
        }
        h += "</table>";
    }
    h += &format!(
        "</main><footer>{} {} · <a href=\"{TOOL_URI}\">{TOOL_URI}</a></footer></body></html>\n",
        TOOL_NAME,
        esc(s(doc, "version"))
    );
    h
}

fn status_text(status: &str, ja: bool) -> &'static str {
    match (status, ja) {
        ("NOT_APPLICABLE", false) => "nothing to check",
        ("NOT_APPLICABLE", true) => "対象なし",
        ("PASSED", false) => "passed",
        ("PASSED", true) => "合格",
        ("FAILED", false) => "failed",
        ("FAILED", true) => "不合格",
        (_, false) => "not evaluated",
        (_, true) => "未評価",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_marks_code() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            rich("run `aws iam x <y>` now"),
            "run <code>aws iam x &lt;y&gt;</code> now"
        );
        assert_eq!(truncate("ああああ", 7), "あ...");
    }
}
