//! A loaded rule set: rules indexed by `eventName` and `eventSource`, correlations resolved.
//!
//! A CloudTrail record names its API call, and almost every rule names the calls it looks at.
//! The index maps each call to the rules that could match it, so a record meets only those;
//! rules that constrain neither field (a few read only `userIdentity` or `userAgent`) run on
//! every record. Each worker caches the candidate list per (eventSource, eventName) pair, of
//! which a real trail has a few hundred.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::condition::Cond;
use crate::matcher::{Det, Leaf};
use crate::record::{Path, Record};
use crate::rule::{Body, CorrKind, Correlation, Detection, LoadError, Rule};

/// A correlation whose rule references are resolved to rule indices.
#[derive(Debug, Clone)]
pub struct CorrPlan {
    /// The correlation rule's index.
    pub rule: usize,
    pub def: Correlation,
    /// Referenced detection rules, in the correlation's order.
    pub members: Vec<usize>,
    /// For each member, the field path of each `group-by` entry (aliases applied).
    pub group_paths: Vec<Vec<Path>>,
    /// For `value_count`: the counted field.
    pub value_path: Option<Path>,
}

/// Rules ready to run.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub corrs: Vec<CorrPlan>,
    /// Per rule: whether a match raises an alert of its own.
    pub alerting: Vec<bool>,
    /// Per rule: the correlations it feeds, as (correlation index, member position).
    pub feeds: Vec<Vec<(usize, usize)>>,
    index: Index,
}

#[derive(Debug, Default)]
struct Index {
    by_name: HashMap<String, Vec<u32>>,
    name_prefixes: Vec<(String, u32)>,
    by_source: HashMap<String, Vec<u32>>,
    always: Vec<u32>,
}

/// Values a rule requires of one field, as far as the index can use them.
#[derive(Debug, Default, Clone)]
struct Keys {
    exact: Vec<String>,
    prefix: Vec<String>,
}

impl Keys {
    fn len(&self) -> usize {
        self.exact.len() + self.prefix.len()
    }
    fn union(mut self, o: Keys) -> Keys {
        self.exact.extend(o.exact);
        self.prefix.extend(o.prefix);
        self
    }
}

fn field_keys(f: &crate::matcher::FieldMatch, field: &str) -> Option<Keys> {
    if f.all || f.path.0.len() != 1 || f.path.0[0] != field {
        return None;
    }
    let mut k = Keys::default();
    for v in &f.values {
        let Leaf::Str(ms) = v else { return None };
        for m in ms {
            if let Some(e) = m.exact() {
                k.exact.push(e.to_ascii_lowercase());
            } else if let Some(p) = m.prefix() {
                k.prefix.push(p.to_ascii_lowercase());
            } else {
                return None;
            }
        }
    }
    Some(k)
}

fn det_keys(d: &Det, field: &str) -> Option<Keys> {
    match d {
        Det::Field(f) => field_keys(f, field),
        Det::All(items) => items
            .iter()
            .filter_map(|i| det_keys(i, field))
            .min_by_key(Keys::len),
        Det::Any(ds) => ds
            .iter()
            .map(|d| det_keys(d, field))
            .try_fold(Keys::default(), |acc, k| Some(acc.union(k?))),
        Det::Keywords(..) => None,
    }
}

fn cond_keys(c: &Cond, d: &Detection, field: &str) -> Option<Keys> {
    match c {
        Cond::Det(i) => det_keys(&d.dets[*i], field),
        Cond::Not(_) => None,
        Cond::And(cs) => cs
            .iter()
            .filter_map(|c| cond_keys(c, d, field))
            .min_by_key(Keys::len),
        Cond::Or(cs) => cs
            .iter()
            .map(|c| cond_keys(c, d, field))
            .try_fold(Keys::default(), |acc, k| Some(acc.union(k?))),
    }
}

impl RuleSet {
    /// Indexes `rules` and resolves correlations. Rules that cannot run (duplicate ids,
    /// correlations naming unknown rules) are returned as errors; the rest run.
    pub fn new(rules: Vec<Rule>) -> (RuleSet, Vec<LoadError>) {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        let mut kept = Vec::new();
        for r in rules {
            if !seen.insert(r.info.id.clone()) {
                errors.push(LoadError {
                    source: r.info.source.clone(),
                    rule: Some(r.info.title.clone()),
                    message: format!(
                        "id `{}` is already used by another rule; this one is not loaded",
                        r.info.id
                    ),
                });
                continue;
            }
            kept.push(r);
        }
        let rules = kept;
        let lookup = |reference: &str| {
            rules.iter().position(|r| {
                r.info.name.as_deref() == Some(reference)
                    || r.info.sigma_id.as_deref() == Some(reference)
            })
        };
        let mut corrs = Vec::new();
        let mut dead = vec![false; rules.len()];
        for (i, r) in rules.iter().enumerate() {
            let Body::Correlation(c) = &r.body else {
                continue;
            };
            match plan(i, c, &rules, &lookup) {
                Ok(p) => corrs.push(p),
                Err(message) => {
                    dead[i] = true;
                    errors.push(LoadError {
                        source: r.info.source.clone(),
                        rule: Some(r.info.title.clone()),
                        message,
                    });
                }
            }
        }
        let mut feeds = vec![Vec::new(); rules.len()];
        let mut alerting: Vec<bool> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| matches!(r.body, Body::Detection(_)) && !dead[i])
            .collect();
        for (ci, p) in corrs.iter().enumerate() {
            for (pos, &m) in p.members.iter().enumerate() {
                feeds[m].push((ci, pos));
            }
        }
        // A rule referred to by correlations alerts on its own only if one of them says
        // `generate: true` (Sigma correlation specification, "Generate").
        for (i, f) in feeds.iter().enumerate() {
            if !f.is_empty() {
                alerting[i] = f.iter().any(|&(ci, _)| corrs[ci].def.generate);
            }
        }
        for p in &corrs {
            alerting[p.rule] = true;
        }
        let mut index = Index::default();
        for (i, r) in rules.iter().enumerate() {
            let Body::Detection(d) = &r.body else {
                continue;
            };
            let i = i as u32;
            if let Some(k) = cond_keys(&d.cond, d, "eventName") {
                for e in k.exact {
                    index.by_name.entry(e).or_default().push(i);
                }
                for p in k.prefix {
                    index.name_prefixes.push((p, i));
                }
            } else if let Some(k) = cond_keys(&d.cond, d, "eventSource") {
                for e in k.exact {
                    index.by_source.entry(e).or_default().push(i);
                }
                // An eventSource prefix is rare enough that the always bucket serves.
                if !k.prefix.is_empty() {
                    index.always.push(i);
                }
            } else {
                index.always.push(i);
            }
        }
        (
            RuleSet {
                rules,
                corrs,
                alerting,
                feeds,
                index,
            },
            errors,
        )
    }

    /// How many detection rules run on every record (no index key).
    pub fn unindexed(&self) -> usize {
        self.index.always.len()
    }

    fn candidates(&self, source: &str, name: &str) -> Vec<u32> {
        let name = name.to_ascii_lowercase();
        let source = source.to_ascii_lowercase();
        let mut v: Vec<u32> = self.index.always.clone();
        if let Some(x) = self.index.by_name.get(&name) {
            v.extend(x);
        }
        if let Some(x) = self.index.by_source.get(&source) {
            v.extend(x);
        }
        for (p, i) in &self.index.name_prefixes {
            if name.starts_with(p.as_str()) {
                v.push(*i);
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn plan(
    i: usize,
    c: &Correlation,
    rules: &[Rule],
    lookup: &dyn Fn(&str) -> Option<usize>,
) -> Result<CorrPlan, String> {
    let mut members = Vec::new();
    for reference in &c.rules {
        let m = lookup(reference).ok_or_else(|| {
            format!("correlation refers to `{reference}`, which no loaded rule has as name or id")
        })?;
        if matches!(rules[m].body, Body::Correlation(_)) {
            return Err(format!(
                "correlation refers to the correlation `{reference}`; chained correlations are \
                 not supported yet"
            ));
        }
        members.push(m);
    }
    let group_paths = c
        .rules
        .iter()
        .map(|reference| {
            c.group_by
                .iter()
                .map(|g| {
                    let field = c
                        .aliases
                        .get(g)
                        .and_then(|per| per.get(reference))
                        .unwrap_or(g);
                    Path::parse(field)
                })
                .collect()
        })
        .collect();
    if c.kind == CorrKind::TemporalOrdered && members.len() < 2 {
        return Err("temporal_ordered needs at least two rules".into());
    }
    Ok(CorrPlan {
        rule: i,
        def: c.clone(),
        members,
        group_paths,
        value_path: c.field.as_deref().map(Path::parse),
    })
}

/// eventName -> candidate rules.
type ByName = HashMap<Box<str>, Arc<[u32]>>;

/// One worker's view of a rule set: the index lookups it has made so far.
pub struct Evaluator<'s> {
    set: &'s RuleSet,
    /// eventSource -> eventName -> candidate rules. Two levels so that a lookup borrows the
    /// record's strings instead of allocating a key.
    cache: HashMap<Box<str>, ByName>,
}

impl<'s> Evaluator<'s> {
    pub fn new(set: &'s RuleSet) -> Self {
        Evaluator {
            set,
            cache: HashMap::new(),
        }
    }

    /// The detection rules `r` matches, appended to `out`.
    pub fn eval(&mut self, r: &Record<'_>, out: &mut Vec<u32>) {
        let source = r.str_field("eventSource").unwrap_or_default();
        let name = r.str_field("eventName").unwrap_or_default();
        let cached = self
            .cache
            .get(&*source)
            .and_then(|m| m.get(&*name))
            .map(Arc::clone);
        let cands = match cached {
            Some(c) => c,
            None => {
                let c: Arc<[u32]> = self.set.candidates(&source, &name).into();
                self.cache
                    .entry(source.as_ref().into())
                    .or_default()
                    .insert(name.as_ref().into(), Arc::clone(&c));
                c
            }
        };
        for &i in cands.iter() {
            if let Body::Detection(d) = &self.set.rules[i as usize].body {
                if d.cond.eval(&mut |k| d.dets[k].eval(r)) {
                    out.push(i);
                }
            }
        }
    }
}
