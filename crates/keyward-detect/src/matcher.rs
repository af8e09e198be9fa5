//! Compiled Sigma detections: the predicates a rule's condition combines, evaluated over a
//! [`Record`].
//!
//! Semantics follow the Sigma specification as SigmaHQ's tools read it: values compare
//! case-insensitively unless `|cased`; `*` and `?` are wildcards (`\*`, `\?`, `\\` escape them);
//! a list of values means any of them, all of them with `|all`; `null` matches a missing field
//! or JSON null; JSON booleans and numbers compare as their text (`'false'`, `22`); a dotted
//! field walks through arrays, and any element may match.

use ipnet::IpNet;
use regex::Regex;

use crate::record::{Path, Record, Val};

/// How a string is compared.
#[derive(Debug, Clone)]
pub enum StrMatch {
    /// ASCII needle, compared ignoring ASCII case unless `cased`.
    Eq(String, bool),
    Prefix(String, bool),
    Suffix(String, bool),
    /// Everything else: wildcards inside, `contains`, non-ASCII needles, `|re`.
    Re(Regex),
}

impl StrMatch {
    pub fn is_match(&self, h: &str) -> bool {
        match self {
            StrMatch::Eq(n, cased) => {
                if *cased {
                    h == n
                } else {
                    h.eq_ignore_ascii_case(n)
                }
            }
            StrMatch::Prefix(n, cased) => h
                .as_bytes()
                .get(..n.len())
                .is_some_and(|p| eq(p, n.as_bytes(), *cased)),
            StrMatch::Suffix(n, cased) => h
                .len()
                .checked_sub(n.len())
                .and_then(|s| h.as_bytes().get(s..))
                .is_some_and(|p| eq(p, n.as_bytes(), *cased)),
            StrMatch::Re(r) => r.is_match(h),
        }
    }

    /// The exact value this matches, if it is a plain case-insensitive equality (for the index).
    pub fn exact(&self) -> Option<&str> {
        match self {
            StrMatch::Eq(n, _) => Some(n),
            _ => None,
        }
    }

    pub fn prefix(&self) -> Option<&str> {
        match self {
            StrMatch::Prefix(n, _) => Some(n),
            _ => None,
        }
    }
}

fn eq(a: &[u8], b: &[u8], cased: bool) -> bool {
    if cased {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// One value of a field item, after modifiers.
#[derive(Debug, Clone)]
pub enum Leaf {
    /// `null`: the field is missing or JSON null.
    Null,
    /// Any of these (a value's variants: `windash`, `base64offset`).
    Str(Vec<StrMatch>),
    Cmp(CmpOp, f64),
    Cidr(IpNet),
    /// `|fieldref`: equal to another field of the same record.
    FieldRef(Path, bool),
    /// `|exists`.
    Exists(bool),
}

/// `field|modifiers: values`.
#[derive(Debug, Clone)]
pub struct FieldMatch {
    pub path: Path,
    pub values: Vec<Leaf>,
    /// `|all`: every value must match (else any).
    pub all: bool,
}

/// A named detection of a rule, or part of one.
#[derive(Debug, Clone)]
pub enum Det {
    /// A list of maps: any of them.
    Any(Vec<Det>),
    /// A map: all of its items.
    All(Vec<Det>),
    Field(FieldMatch),
    /// A list of plain values: searched in the whole record's text.
    Keywords(Vec<StrMatch>, bool),
}

impl Det {
    pub fn eval(&self, r: &Record<'_>) -> bool {
        match self {
            Det::Any(ds) => ds.iter().any(|d| d.eval(r)),
            Det::All(ds) => ds.iter().all(|d| d.eval(r)),
            Det::Keywords(ks, all) => {
                if *all {
                    ks.iter().all(|k| k.is_match(r.raw))
                } else {
                    ks.iter().any(|k| k.is_match(r.raw))
                }
            }
            Det::Field(f) => f.eval(r),
        }
    }
}

impl FieldMatch {
    fn eval(&self, r: &Record<'_>) -> bool {
        let mut vals = Vec::new();
        r.values(&self.path, &mut vals);
        let one = |leaf: &Leaf| leaf_matches(leaf, &vals, r);
        if self.all {
            self.values.iter().all(one)
        } else {
            self.values.iter().any(one)
        }
    }
}

fn leaf_matches(leaf: &Leaf, vals: &[Val<'_>], r: &Record<'_>) -> bool {
    match leaf {
        Leaf::Null => vals.iter().all(|v| matches!(v, Val::Null)),
        Leaf::Exists(want) => vals.iter().any(|v| !matches!(v, Val::Null)) == *want,
        Leaf::Str(ms) => vals
            .iter()
            .filter_map(Val::as_text)
            .any(|t| ms.iter().any(|m| m.is_match(t))),
        Leaf::Cmp(op, n) => vals.iter().filter_map(Val::as_f64).any(|x| match op {
            CmpOp::Gt => x > *n,
            CmpOp::Gte => x >= *n,
            CmpOp::Lt => x < *n,
            CmpOp::Lte => x <= *n,
        }),
        Leaf::Cidr(net) => vals.iter().any(|v| {
            v.as_text()
                .and_then(|t| t.trim().parse::<std::net::IpAddr>().ok())
                .is_some_and(|ip| net.contains(&ip))
        }),
        Leaf::FieldRef(other, cased) => {
            let mut theirs = Vec::new();
            r.values(other, &mut theirs);
            vals.iter().filter_map(Val::as_text).any(|a| {
                theirs.iter().filter_map(Val::as_text).any(|b| {
                    if *cased {
                        a == b
                    } else {
                        a.eq_ignore_ascii_case(b)
                    }
                })
            })
        }
    }
}
