//! Sigma rule files: YAML in, compiled rules (or a clear error naming the rule) out.
//!
//! A file holds one rule or several (`---`). Each is a detection rule (`detection:`) or a
//! correlation rule (`correlation:`). Keyward's bundled rules add a `keyward:` block with the
//! Japanese title, rationale and remediation in both languages, and examples that the test suite
//! runs (see `rules/README.md`). Every construct this compiler does not support is refused with
//! a message naming it; no rule is ever skipped in silence or compiled into one that never fires.

use std::collections::BTreeMap;
use std::fmt;

use keyward_core::{Severity, Text};
use regex::Regex;
use yaml_serde::Value as Y;

use crate::condition::{self, Cond};
use crate::matcher::{CmpOp, Det, FieldMatch, Leaf, StrMatch};
use crate::record::Path;

/// A rule that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub source: String,
    /// The rule's title or id, when the document got that far.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(r) => write!(f, "{}: rule `{r}`: {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// What a rule says about itself.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Keyward's stable id: the Sigma `name` if there is one, else the Sigma `id`.
    pub id: String,
    pub sigma_id: Option<String>,
    pub name: Option<String>,
    pub title: String,
    pub title_ja: Option<String>,
    pub description: Option<String>,
    pub level: Severity,
    pub status: Option<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub falsepositives: Vec<String>,
    pub rationale: Option<Text>,
    pub remediation: Option<Text>,
    /// The file it came from (`builtin:iam/x.yml` for the bundled pack).
    pub source: String,
}

/// A detection rule's compiled body.
#[derive(Debug, Clone)]
pub struct Detection {
    pub names: Vec<String>,
    pub dets: Vec<Det>,
    pub cond: Cond,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrKind {
    EventCount,
    ValueCount,
    Temporal,
    TemporalOrdered,
}

/// A correlation rule, before its rule references are resolved.
#[derive(Debug, Clone)]
pub struct Correlation {
    pub kind: CorrKind,
    pub rules: Vec<String>,
    pub group_by: Vec<String>,
    pub timespan_secs: i64,
    /// Conditions on the count, all of which must hold (`gt: 100, lte: 200`).
    pub condition: Vec<(CountOp, f64)>,
    /// `value_count`: the field whose distinct values are counted.
    pub field: Option<String>,
    /// alias -> rule reference -> field.
    pub aliases: BTreeMap<String, BTreeMap<String, String>>,
    pub generate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountOp {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
}

impl CountOp {
    pub fn holds(self, n: f64, bound: f64) -> bool {
        match self {
            CountOp::Gt => n > bound,
            CountOp::Gte => n >= bound,
            CountOp::Lt => n < bound,
            CountOp::Lte => n <= bound,
            CountOp::Eq => n == bound,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Detection(Detection),
    Correlation(Correlation),
}

/// Records (as JSON text) a rule must fire on, or must not. A detection rule's example is one
/// record; a correlation's is a sequence.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    pub matches: Vec<Vec<String>>,
    pub no_match: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub info: RuleInfo,
    pub body: Body,
    pub examples: Examples,
}

/// Parses every rule of one file. Rules that fail are returned as errors beside the rest.
pub fn load_str(text: &str, source: &str) -> (Vec<Rule>, Vec<LoadError>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for doc in yaml_serde::Deserializer::from_str(text) {
        let value = match serde::Deserialize::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                errors.push(LoadError {
                    source: source.to_string(),
                    rule: None,
                    message: format!("not valid YAML: {e}"),
                });
                // The YAML stream is broken; later documents cannot be trusted either.
                break;
            }
        };
        if matches!(value, Y::Null) {
            continue;
        }
        match rule_from_yaml(&value, source) {
            Ok(r) => rules.push(r),
            Err((rule, message)) => errors.push(LoadError {
                source: source.to_string(),
                rule,
                message,
            }),
        }
    }
    (rules, errors)
}

type RuleResult<T> = Result<T, (Option<String>, String)>;

fn get<'a>(m: &'a Y, key: &str) -> Option<&'a Y> {
    m.as_mapping()?.get(key)
}

fn string(v: &Y) -> Option<String> {
    match v {
        Y::String(s) => Some(s.clone()),
        Y::Number(n) => Some(n.to_string()),
        Y::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Y>) -> Vec<String> {
    match v {
        Some(Y::Sequence(s)) => s.iter().filter_map(string).collect(),
        Some(v) => string(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn text(v: Option<&Y>) -> Option<Text> {
    let v = v?;
    Some(Text {
        en: get(v, "en").and_then(string)?,
        ja: get(v, "ja").and_then(string)?,
    })
}

fn level(v: Option<&Y>) -> Result<Severity, String> {
    let Some(v) = v else {
        return Ok(Severity::Medium);
    };
    match string(v).as_deref() {
        Some("informational") => Ok(Severity::Info),
        Some("low") => Ok(Severity::Low),
        Some("medium") => Ok(Severity::Medium),
        Some("high") => Ok(Severity::High),
        Some("critical") => Ok(Severity::Critical),
        other => Err(format!(
            "level `{}` is not one of informational, low, medium, high, critical",
            other.unwrap_or("?")
        )),
    }
}

fn rule_from_yaml(v: &Y, source: &str) -> RuleResult<Rule> {
    if !v.is_mapping() {
        return Err((None, "a rule must be a YAML mapping".into()));
    }
    let title = get(v, "title").and_then(string);
    let sigma_id = get(v, "id").and_then(string);
    let name = get(v, "name").and_then(string);
    let label = title.clone().or_else(|| sigma_id.clone());
    let fail = |m: String| (label.clone(), m);
    if get(v, "action").is_some() {
        return Err(fail(
            "`action` documents (Sigma v1 rule collections) are not supported; write each rule \
             out in full"
                .into(),
        ));
    }
    let title = title.ok_or_else(|| fail("has no `title`".into()))?;
    let id = name
        .clone()
        .or_else(|| sigma_id.clone())
        .ok_or_else(|| fail("has neither `name` nor `id`".into()))?;
    let kw = get(v, "keyward");
    let info = RuleInfo {
        id,
        sigma_id,
        name,
        title,
        title_ja: kw.and_then(|k| get(k, "title_ja")).and_then(string),
        description: get(v, "description").and_then(string),
        level: level(get(v, "level")).map_err(fail)?,
        status: get(v, "status").and_then(string),
        tags: strings(get(v, "tags")),
        references: strings(get(v, "references")),
        falsepositives: strings(get(v, "falsepositives")),
        rationale: text(kw.and_then(|k| get(k, "rationale"))),
        remediation: text(kw.and_then(|k| get(k, "remediation"))),
        source: source.to_string(),
    };
    let body = match (get(v, "detection"), get(v, "correlation")) {
        (Some(d), None) => {
            check_logsource(get(v, "logsource")).map_err(fail)?;
            Body::Detection(detection(d).map_err(fail)?)
        }
        (None, Some(c)) => Body::Correlation(correlation(v, c).map_err(fail)?),
        (Some(_), Some(_)) => {
            return Err(fail("has both `detection` and `correlation`".into()));
        }
        (None, None) => return Err(fail("has neither `detection` nor `correlation`".into())),
    };
    let examples = match kw.and_then(|k| get(k, "examples")) {
        Some(e) => examples(e, matches!(body, Body::Correlation(_))).map_err(fail)?,
        None => Examples::default(),
    };
    Ok(Rule {
        info,
        body,
        examples,
    })
}

/// Keyward reads CloudTrail, the log of every AWS API call; SigmaHQ files CloudTrail rules
/// under `product: aws` with the service they watch (`cloudtrail`, `ec2`, ...). A rule for
/// another product would run against the wrong fields.
fn check_logsource(ls: Option<&Y>) -> Result<(), String> {
    let product = ls.and_then(|l| get(l, "product")).and_then(string);
    match product.as_deref() {
        Some("aws") => Ok(()),
        other => Err(format!(
            "logsource product is `{}`; keyward detect reads AWS CloudTrail (product: aws)",
            other.unwrap_or("-")
        )),
    }
}

fn detection(d: &Y) -> Result<Detection, String> {
    let map = d
        .as_mapping()
        .ok_or_else(|| "`detection` must be a mapping".to_string())?;
    let mut names = Vec::new();
    let mut dets = Vec::new();
    let mut conds = Vec::new();
    for (k, v) in map {
        let key = string(k).ok_or_else(|| "detection keys must be strings".to_string())?;
        match key.as_str() {
            "condition" => conds = strings(Some(v)),
            "timeframe" => {
                return Err(
                    "`timeframe` belongs to the Sigma v1 aggregation syntax; use a correlation \
                     rule with `timespan`"
                        .into(),
                )
            }
            _ => {
                let det = det_from_yaml(v).map_err(|e| format!("detection `{key}`: {e}"))?;
                names.push(key);
                dets.push(det);
            }
        }
    }
    if conds.is_empty() {
        return Err("detection has no `condition`".into());
    }
    let mut parsed = Vec::new();
    for c in &conds {
        parsed.push(condition::parse(c, &names).map_err(|e| e.0)?);
    }
    let cond = if parsed.len() == 1 {
        parsed.remove(0)
    } else {
        Cond::Or(parsed)
    };
    Ok(Detection { names, dets, cond })
}

fn det_from_yaml(v: &Y) -> Result<Det, String> {
    match v {
        Y::Mapping(m) => {
            let mut items = Vec::new();
            for (k, val) in m {
                let key = string(k).ok_or("field names must be strings")?;
                items.push(field_item(&key, val)?);
            }
            Ok(Det::All(items))
        }
        Y::Sequence(s) if s.iter().all(Y::is_mapping) => Ok(Det::Any(
            s.iter().map(det_from_yaml).collect::<Result<_, _>>()?,
        )),
        Y::Sequence(s) => {
            if s.iter().any(|x| x.is_mapping() || x.is_sequence()) {
                return Err("a list must hold either only maps or only values".into());
            }
            let mut ks = Vec::new();
            for x in s {
                let t = string(x).ok_or("keyword values must be strings or numbers")?;
                ks.push(glob(&format!("*{t}*"), false)?);
            }
            Ok(Det::Keywords(ks, false))
        }
        Y::Null => Err("is empty".into()),
        other => {
            let t = string(other).ok_or("unsupported value")?;
            Ok(Det::Keywords(vec![glob(&format!("*{t}*"), false)?], false))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Contains,
    StartsWith,
    EndsWith,
    Re,
    Cidr,
    Cmp(CmpOp),
    Exists,
    FieldRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transform {
    Base64,
    Base64Offset,
    Windash,
}

fn field_item(key: &str, v: &Y) -> Result<Det, String> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    let mut kind = Kind::Plain;
    let mut transforms = Vec::new();
    let (mut all, mut cased) = (false, false);
    let (mut re_i, mut re_m, mut re_s) = (false, false, false);
    let set_kind = |k: Kind, kind: &mut Kind, m: &str| -> Result<(), String> {
        if *kind != Kind::Plain {
            return Err(format!("`{key}` combines two matching modifiers (`{m}`)"));
        }
        *kind = k;
        Ok(())
    };
    for m in parts {
        match m {
            "contains" => set_kind(Kind::Contains, &mut kind, m)?,
            "startswith" => set_kind(Kind::StartsWith, &mut kind, m)?,
            "endswith" => set_kind(Kind::EndsWith, &mut kind, m)?,
            "re" => set_kind(Kind::Re, &mut kind, m)?,
            "cidr" => set_kind(Kind::Cidr, &mut kind, m)?,
            "gt" => set_kind(Kind::Cmp(CmpOp::Gt), &mut kind, m)?,
            "gte" => set_kind(Kind::Cmp(CmpOp::Gte), &mut kind, m)?,
            "lt" => set_kind(Kind::Cmp(CmpOp::Lt), &mut kind, m)?,
            "lte" => set_kind(Kind::Cmp(CmpOp::Lte), &mut kind, m)?,
            "exists" => set_kind(Kind::Exists, &mut kind, m)?,
            "fieldref" => set_kind(Kind::FieldRef, &mut kind, m)?,
            "all" => all = true,
            "cased" => cased = true,
            "i" | "ignorecase" => re_i = true,
            "m" | "multiline" => re_m = true,
            "s" | "dotall" => re_s = true,
            "base64" => transforms.push(Transform::Base64),
            "base64offset" => transforms.push(Transform::Base64Offset),
            "windash" => transforms.push(Transform::Windash),
            "expand" => {
                return Err(format!(
                    "`{key}`: the `expand` modifier needs placeholder values from a processing \
                     pipeline, which keyward detect does not have; replace the placeholder with \
                     the values it stands for"
                ))
            }
            "wide" | "utf16" | "utf16le" | "utf16be" => {
                return Err(format!(
                    "`{key}`: the `{m}` modifier encodes UTF-16, which CloudTrail never holds"
                ))
            }
            other => return Err(format!("`{key}`: unknown modifier `{other}`")),
        }
    }
    if field.is_empty() {
        return Err(format!(
            "`{key}`: keyword searches with modifiers are not supported"
        ));
    }
    let raw: Vec<&Y> = match v {
        Y::Sequence(s) => s.iter().collect(),
        other => vec![other],
    };
    if raw.is_empty() {
        return Err(format!("`{key}` has an empty list of values"));
    }
    let mut values = Vec::new();
    for x in raw {
        if matches!(x, Y::Null) {
            if kind != Kind::Plain || !transforms.is_empty() {
                return Err(format!("`{key}`: `null` cannot take modifiers"));
            }
            values.push(Leaf::Null);
            continue;
        }
        if x.is_mapping() || x.is_sequence() {
            return Err(format!("`{key}`: values must be scalars"));
        }
        let t = string(x).ok_or_else(|| format!("`{key}`: unsupported value"))?;
        values.push(leaf(
            key,
            kind,
            &transforms,
            &t,
            x,
            cased,
            (re_i, re_m, re_s),
        )?);
    }
    Ok(Det::Field(FieldMatch {
        path: Path::parse(field),
        values,
        all,
    }))
}

fn leaf(
    key: &str,
    kind: Kind,
    transforms: &[Transform],
    t: &str,
    raw: &Y,
    cased: bool,
    (re_i, re_m, re_s): (bool, bool, bool),
) -> Result<Leaf, String> {
    Ok(match kind {
        Kind::Exists => match raw {
            Y::Bool(b) => Leaf::Exists(*b),
            _ => return Err(format!("`{key}`: `exists` takes true or false")),
        },
        Kind::Cmp(op) => Leaf::Cmp(
            op,
            t.parse()
                .map_err(|_| format!("`{key}`: `{t}` is not a number"))?,
        ),
        Kind::Cidr => Leaf::Cidr(
            t.parse()
                .map_err(|_| format!("`{key}`: `{t}` is not a CIDR network"))?,
        ),
        Kind::FieldRef => Leaf::FieldRef(Path::parse(t), cased),
        Kind::Re => {
            let mut flags = String::new();
            for (on, f) in [(re_i, 'i'), (re_m, 'm'), (re_s, 's')] {
                if on {
                    flags.push(f);
                }
            }
            let pat = if flags.is_empty() {
                t.to_string()
            } else {
                format!("(?{flags}){t}")
            };
            Leaf::Str(vec![StrMatch::Re(Regex::new(&pat).map_err(|e| {
                format!("`{key}`: regular expression `{t}` is not supported: {e}")
            })?)])
        }
        Kind::Plain | Kind::Contains | Kind::StartsWith | Kind::EndsWith => {
            let variants = transformed(t, transforms);
            let mut ms = Vec::new();
            for (text, literal) in variants {
                let body = if literal { escape_glob(&text) } else { text };
                let pat = match kind {
                    Kind::Contains => format!("*{body}*"),
                    Kind::StartsWith => format!("{body}*"),
                    Kind::EndsWith => format!("*{body}"),
                    _ => body,
                };
                ms.push(glob(&pat, cased)?);
            }
            Leaf::Str(ms)
        }
    })
}

/// The value's variants after `base64`, `base64offset`, `windash`; `true` marks text that must
/// be matched literally (encodings have no wildcards).
fn transformed(t: &str, transforms: &[Transform]) -> Vec<(String, bool)> {
    let mut out = vec![(t.to_string(), false)];
    for tr in transforms {
        out = out
            .into_iter()
            .flat_map(|(s, lit)| match tr {
                Transform::Base64 => vec![(data_encoding::BASE64.encode(s.as_bytes()), true)],
                Transform::Base64Offset => base64_offsets(s.as_bytes())
                    .into_iter()
                    .map(|x| (x, true))
                    .collect(),
                Transform::Windash => windash(&s).into_iter().map(|x| (x, lit)).collect(),
            })
            .collect();
    }
    out
}

/// The three encodings of a value that may sit at any offset inside a longer base64 text
/// (Sigma's `base64offset`): the stable middle of each.
fn base64_offsets(v: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut buf = vec![b' '; i];
            buf.extend_from_slice(v);
            let enc = data_encoding::BASE64.encode(&buf);
            let enc = enc.trim_end_matches('=');
            let end_cut = END[(v.len() + i) % 3];
            let s = START[i];
            enc.get(s..enc.len().saturating_sub(end_cut))
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Command-line flags written with `-` also work with `/`, en dash, em dash, horizontal bar.
fn windash(s: &str) -> Vec<String> {
    ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]
        .iter()
        .map(|d| {
            let mut out = String::new();
            let mut prev_space = true;
            for c in s.chars() {
                if c == '-' && prev_space {
                    out.push_str(d);
                } else {
                    out.push(c);
                }
                prev_space = c.is_whitespace();
            }
            out
        })
        .collect()
}

fn escape_glob(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

#[derive(Debug, PartialEq)]
enum G {
    Lit(char),
    Star,
    One,
}

/// A Sigma value with wildcards into the cheapest matcher that implements it.
pub(crate) fn glob(pat: &str, cased: bool) -> Result<StrMatch, String> {
    let mut toks = Vec::new();
    let mut it = pat.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.peek() {
                Some(&n) if matches!(n, '*' | '?' | '\\') => {
                    toks.push(G::Lit(n));
                    it.next();
                }
                _ => toks.push(G::Lit('\\')),
            },
            '*' => {
                if toks.last() != Some(&G::Star) {
                    toks.push(G::Star)
                }
            }
            '?' => toks.push(G::One),
            c => toks.push(G::Lit(c)),
        }
    }
    let lead = toks.first() == Some(&G::Star);
    let trail = toks.len() > usize::from(lead) && toks.last() == Some(&G::Star);
    let inner = &toks[usize::from(lead)..toks.len() - usize::from(trail)];
    let plain: Option<String> = inner
        .iter()
        .map(|t| match t {
            G::Lit(c) => Some(*c),
            _ => None,
        })
        .collect();
    if let Some(lit) = plain.filter(|l| l.is_ascii() || cased) {
        match (lead, trail) {
            (false, false) => return Ok(StrMatch::Eq(lit, cased)),
            (false, true) => return Ok(StrMatch::Prefix(lit, cased)),
            (true, false) => return Ok(StrMatch::Suffix(lit, cased)),
            (true, true) => {}
        }
    }
    let mut re = String::from(if cased { "(?s)" } else { "(?is)" });
    if !lead {
        re.push('^');
    }
    for t in inner {
        match t {
            G::Lit(c) => re.push_str(&regex::escape(&c.to_string())),
            G::Star => re.push_str(".*"),
            G::One => re.push('.'),
        }
    }
    if !trail {
        re.push('$');
    }
    Regex::new(&re)
        .map(StrMatch::Re)
        .map_err(|e| format!("value `{pat}` cannot be compiled: {e}"))
}

fn timespan(s: &str) -> Result<i64, String> {
    let s = s.trim();
    // The Sigma specification knows s, m, h and d; weeks are the CLI's extra.
    match crate::parse_duration(s).filter(|_| !s.ends_with('w')) {
        Some(n) if n > 0 => Ok(n),
        Some(_) => Err(format!("timespan `{s}` must be positive")),
        None => Err(format!(
            "timespan `{s}` is not a number and a unit (30s, 5m, 1h, 1d)"
        )),
    }
}

fn correlation(rule: &Y, c: &Y) -> Result<Correlation, String> {
    let kind = match get(c, "type").and_then(string).as_deref() {
        Some("event_count") => CorrKind::EventCount,
        Some("value_count") => CorrKind::ValueCount,
        Some("temporal") => CorrKind::Temporal,
        Some("temporal_ordered") => CorrKind::TemporalOrdered,
        Some(other) => return Err(format!("correlation type `{other}` is not supported")),
        None => return Err("correlation has no `type`".into()),
    };
    let rules = strings(get(c, "rules"));
    if rules.is_empty() {
        return Err("correlation has no `rules`".into());
    }
    let group_by = strings(get(c, "group-by"));
    let timespan_secs = timespan(
        &get(c, "timespan")
            .and_then(string)
            .ok_or("correlation has no `timespan`")?,
    )?;
    let mut condition = Vec::new();
    let mut field = None;
    if let Some(m) = get(c, "condition").and_then(Y::as_mapping) {
        for (k, v) in m {
            let k = string(k).unwrap_or_default();
            if k == "field" {
                field = string(v);
                continue;
            }
            let op = match k.as_str() {
                "gt" => CountOp::Gt,
                "gte" => CountOp::Gte,
                "lt" => CountOp::Lt,
                "lte" => CountOp::Lte,
                "eq" => CountOp::Eq,
                other => {
                    return Err(format!(
                        "correlation condition `{other}` is not one of gt, gte, lt, lte, eq"
                    ))
                }
            };
            let n = string(v)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("correlation condition `{k}` needs a number"))?;
            condition.push((op, n));
        }
    }
    match kind {
        CorrKind::EventCount | CorrKind::ValueCount if condition.is_empty() => {
            return Err("event_count and value_count correlations need a `condition`".into())
        }
        CorrKind::ValueCount if field.is_none() => {
            return Err("value_count correlations need `condition.field`".into())
        }
        _ => {}
    }
    let mut aliases = BTreeMap::new();
    if let Some(m) = get(c, "aliases").and_then(Y::as_mapping) {
        for (alias, per_rule) in m {
            let alias = string(alias).unwrap_or_default();
            let mut map = BTreeMap::new();
            for (r, f) in per_rule
                .as_mapping()
                .ok_or("`aliases` entries must be mappings")?
            {
                map.insert(
                    string(r).unwrap_or_default(),
                    string(f).ok_or("alias fields must be strings")?,
                );
            }
            aliases.insert(alias, map);
        }
    }
    let generate = get(c, "generate")
        .or_else(|| get(rule, "generate"))
        .and_then(Y::as_bool)
        .unwrap_or(false);
    Ok(Correlation {
        kind,
        rules,
        group_by,
        timespan_secs,
        condition,
        field,
        aliases,
        generate,
    })
}

fn examples(v: &Y, correlation: bool) -> Result<Examples, String> {
    let list = |key: &str| -> Result<Vec<Vec<String>>, String> {
        let Some(items) = get(v, key) else {
            return Ok(Vec::new());
        };
        let items = items
            .as_sequence()
            .ok_or_else(|| format!("examples.{key} must be a list"))?;
        items
            .iter()
            .map(|ex| {
                let records: Vec<&Y> = match (correlation, ex) {
                    (true, Y::Sequence(s)) => s.iter().collect(),
                    (false, Y::Mapping(_)) => vec![ex],
                    (true, _) => {
                        return Err(format!(
                            "examples.{key}: a correlation's example is a list of records"
                        ))
                    }
                    (false, _) => {
                        return Err(format!(
                            "examples.{key}: each example is one record (a map)"
                        ))
                    }
                };
                records
                    .into_iter()
                    .map(|r| {
                        serde_json::to_string(r)
                            .map_err(|e| format!("examples.{key}: not a JSON record: {e}"))
                    })
                    .collect()
            })
            .collect()
    };
    Ok(Examples {
        matches: list("match")?,
        no_match: list("no_match")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_picks_the_cheap_matcher() {
        assert!(matches!(glob("CreateUser", false), Ok(StrMatch::Eq(..))));
        assert!(matches!(glob("Create*", false), Ok(StrMatch::Prefix(..))));
        assert!(matches!(glob("*User", false), Ok(StrMatch::Suffix(..))));
        let m = glob("*ad?in*", false).expect("glob");
        assert!(m.is_match("xxADMINxx") && !m.is_match("adn"));
        let m = glob(r"a\*b", false).expect("glob");
        assert!(m.is_match("A*B") && !m.is_match("axxb"));
        assert!(glob("Create*", false).expect("glob").is_match("createrole"));
        assert!(!glob("Create*", true).expect("glob").is_match("createrole"));
    }

    #[test]
    fn base64offset_finds_the_value_at_any_offset() {
        for pre in ["", "x", "xy", "xyz"] {
            let enc = data_encoding::BASE64.encode(format!("{pre}secret-cmd tail").as_bytes());
            assert!(
                base64_offsets(b"secret-cmd")
                    .iter()
                    .any(|v| enc.contains(v.as_str())),
                "{pre}: {enc} {:?}",
                base64_offsets(b"secret-cmd")
            );
        }
    }

    #[test]
    fn unsupported_constructs_name_the_rule_and_the_construct() {
        let (_, errs) = load_str(
            "title: T\nid: x\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName|expand: '%x%'\n  condition: sel\n",
            "f.yml",
        );
        assert_eq!(errs.len(), 1);
        let msg = errs[0].to_string();
        assert!(
            msg.starts_with("f.yml: rule `T`:") && msg.contains("expand"),
            "{msg}"
        );
        let (_, errs) = load_str(
            "title: T2\nid: y\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName|foo: x\n  condition: sel\n",
            "f.yml",
        );
        assert!(errs[0].to_string().contains("unknown modifier `foo`"));
        let (_, errs) = load_str("title: [\n", "bad.yml");
        assert!(errs[0].to_string().starts_with("bad.yml: not valid YAML"));
    }
}
