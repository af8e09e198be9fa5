//! Alerts: a matched event, or a correlation's joined events, as a [`Finding`].

use std::collections::BTreeMap;
use std::sync::Arc;

use keyward_core::{fingerprint, Finding, Location};

use crate::record::{Path, Record};
use crate::rule::Rule;

/// What a reader needs to know about a matched event, taken from the record when it matched
/// (records themselves live only as long as their input buffer).
#[derive(Debug, Clone)]
pub struct EventRef {
    /// Seconds since the epoch (from `eventTime`).
    pub time: i64,
    pub event_time: String,
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    pub event_source: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub principal_arn: Option<String>,
    pub access_key_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub file: Arc<str>,
    /// The line of a JSON Lines record; `None` inside a `{"Records":[...]}` file.
    pub line: Option<u32>,
    /// The record's JSON, when the run keeps matched events (`--format json` shows it).
    pub raw: Option<String>,
}

/// A field of the record as text: top-level ones directly, nested ones by walking the path.
fn text(r: &Record<'_>, path: &str) -> Option<String> {
    if path.contains('.') {
        r.first_scalar(&Path::parse(path))
    } else {
        r.str_field(path).map(|s| s.into_owned())
    }
}

impl EventRef {
    pub fn new(
        r: &Record<'_>,
        time: i64,
        file: &Arc<str>,
        line: Option<u32>,
        keep_raw: bool,
    ) -> EventRef {
        EventRef {
            time,
            event_time: text(r, "eventTime").unwrap_or_default(),
            event_id: text(r, "eventID"),
            event_name: text(r, "eventName"),
            event_source: text(r, "eventSource"),
            account_id: text(r, "recipientAccountId").or_else(|| text(r, "userIdentity.accountId")),
            region: text(r, "awsRegion"),
            principal_arn: text(r, "userIdentity.arn"),
            access_key_id: text(r, "userIdentity.accessKeyId"),
            source_ip: text(r, "sourceIPAddress"),
            user_agent: text(r, "userAgent"),
            file: Arc::clone(file),
            line,
            raw: keep_raw.then(|| r.raw.to_string()),
        }
    }

    fn properties(&self, p: &mut BTreeMap<String, String>) {
        let fields = [
            ("event_time", Some(&self.event_time)),
            ("event_name", self.event_name.as_ref()),
            ("event_source", self.event_source.as_ref()),
            ("event_id", self.event_id.as_ref()),
            ("account_id", self.account_id.as_ref()),
            ("region", self.region.as_ref()),
            ("principal_arn", self.principal_arn.as_ref()),
            ("access_key_id", self.access_key_id.as_ref()),
            ("source_ip", self.source_ip.as_ref()),
            ("user_agent", self.user_agent.as_ref()),
        ];
        for (k, v) in fields {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                p.insert(k.to_string(), v.clone());
            }
        }
    }

    fn location(&self) -> Location {
        let mut l = Location::path(self.file.to_string());
        l.line = self.line;
        l
    }

    /// `2024-05-01T10:00:00Z CreateRole (id)`: one event in a correlation alert.
    pub fn summary(&self) -> String {
        format!(
            "{} {} ({})",
            self.event_time,
            self.event_name.as_deref().unwrap_or("?"),
            self.event_id.as_deref().unwrap_or("no eventID")
        )
    }
}

/// A detection rule matched one event.
pub fn event_alert(rule: &Rule, ev: &EventRef) -> Finding {
    let mut properties = BTreeMap::new();
    ev.properties(&mut properties);
    if let Some(raw) = &ev.raw {
        properties.insert("event".into(), raw.clone());
    }
    let id_part = ev
        .event_id
        .clone()
        .unwrap_or_else(|| format!("{}:{}:{}", ev.file, ev.line.unwrap_or(0), ev.event_time));
    Finding {
        rule_id: rule.info.id.clone(),
        title: rule.info.title.clone(),
        severity: rule.info.level,
        location: ev.location(),
        secret: None,
        companion: None,
        fingerprint: fingerprint(&[&rule.info.id, &id_part]),
        properties,
    }
}

/// A correlation fired: `events` are the events it joined, oldest first; `group` the group-by
/// values they share.
pub fn correlation_alert(rule: &Rule, group: &[(String, String)], events: &[EventRef]) -> Finding {
    let mut properties = BTreeMap::new();
    // The last event places the alert in time and gives its principal, key, address.
    if let Some(last) = events.last() {
        last.properties(&mut properties);
        properties.remove("event_id");
        properties.remove("event_name");
        properties.remove("event_source");
    }
    if let Some(first) = events.first() {
        properties.insert("first_event_time".into(), first.event_time.clone());
    }
    for (k, v) in group {
        properties.insert(format!("group.{k}"), v.clone());
    }
    properties.insert("event_count".into(), events.len().to_string());
    properties.insert(
        "events".into(),
        events
            .iter()
            .map(EventRef::summary)
            .collect::<Vec<_>>()
            .join("; "),
    );
    let ids: Vec<String> = events
        .iter()
        .map(|e| e.event_id.clone().unwrap_or_else(|| e.event_time.clone()))
        .collect();
    let mut parts: Vec<&str> = vec![&rule.info.id];
    parts.extend(ids.iter().map(String::as_str));
    Finding {
        rule_id: rule.info.id.clone(),
        title: rule.info.title.clone(),
        severity: rule.info.level,
        location: events
            .last()
            .map(EventRef::location)
            .unwrap_or_else(|| Location::path("")),
        secret: None,
        companion: None,
        fingerprint: fingerprint(&parts),
        properties,
    }
}
