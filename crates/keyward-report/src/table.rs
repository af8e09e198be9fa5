//! The table for people.

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use keyward_core::{Finding, Severity};

use crate::{details, location_text, secret_text, Options};

fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Critical => Color::Red,
        Severity::High => Color::DarkRed,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Cyan,
        Severity::Info => Color::Grey,
    }
}

/// A severity cell, coloured when colour is on.
pub(crate) fn severity_cell(sev: &str, opts: Options) -> Cell {
    let cell = Cell::new(sev);
    match sev.parse::<Severity>() {
        Ok(s) if opts.color => cell.fg(severity_color(s)).add_attribute(Attribute::Bold),
        _ => cell,
    }
}

/// Findings, most severe first, as a table.
pub fn table(findings: &[Finding], opts: Options) -> String {
    let mut rows: Vec<&Finding> = findings.iter().collect();
    rows.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.path.cmp(&b.location.path))
            .then_with(|| a.location.line.cmp(&b.location.line))
    });
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["SEVERITY", "RULE", "LOCATION", "SECRET", "DETAILS"]);
    if opts.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    for f in rows {
        let sev = severity_cell(f.severity.as_str(), opts);
        let secret = secret_text(f, opts);
        t.add_row(vec![
            sev,
            Cell::new(&f.rule_id),
            Cell::new(location_text(f)),
            Cell::new(secret),
            Cell::new(details(f)),
        ]);
    }
    format!("{t}\n")
}

/// Detection alerts, in event-time order, as a table: what happened, when, by whom, from where.
pub fn alerts_table(alerts: &[Finding], opts: Options) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "SEVERITY",
            "RULE",
            "TIME",
            "EVENT",
            "PRINCIPAL / KEY",
            "SOURCE",
        ]);
    // Piped or redirected output has no terminal width; ARNs and event lists would make each
    // row as wide as its longest value.
    if t.width().is_none() {
        t.set_width(150);
    }
    if opts.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    let prop = |f: &Finding, k: &str| f.properties.get(k).cloned().unwrap_or_default();
    for f in alerts {
        let sev = severity_cell(f.severity.as_str(), opts);
        let event = match f.properties.get("events") {
            Some(evs) => format!(
                "{} events: {}",
                prop(f, "event_count"),
                evs.replace("; ", "\n")
            ),
            None => format!("{} {}", prop(f, "event_name"), prop(f, "region")),
        };
        let who = [prop(f, "principal_arn"), prop(f, "access_key_id")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        t.add_row(vec![
            sev,
            Cell::new(format!("{}\n{}", f.rule_id, f.title)),
            Cell::new(prop(f, "event_time")),
            Cell::new(event),
            Cell::new(who),
            Cell::new(prop(f, "source_ip")),
        ]);
    }
    format!("{t}\n")
}
