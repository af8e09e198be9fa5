//! A CloudTrail record, read without copying.
//!
//! Detection reads a handful of fields of each record, and most records meet only a rule or two
//! (rules are indexed by `eventSource`/`eventName`). Parsing every record into a
//! `serde_json::Value` tree would cost more than all the rules together, so a [`Record`] holds
//! only its top-level keys, each with the raw JSON text of its value, borrowed from the input
//! buffer. Nested objects are parsed when a rule walks into them, and strings are unescaped only
//! when they contain escapes.

use std::borrow::Cow;
use std::fmt;

use keyward_core::policy::url_decoded_json;
use keyward_core::PolicyDocument;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The keys of one JSON object, each with its raw value, in document order.
#[derive(Debug, Default)]
pub struct RawObject<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> RawObject<'a> {
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(24));
                while let Some(k) = m.next_key::<Key<'de>>()? {
                    let v: &'de RawValue = m.next_value()?;
                    out.push((k.0, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A string borrowed from the input when it has no escapes.
#[derive(Deserialize)]
pub(crate) struct Key<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

/// The raw elements of a JSON array.
pub struct RawArray<'a>(pub Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for RawArray<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawArray<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<Self::Value, S::Error> {
                let mut out = Vec::with_capacity(s.size_hint().unwrap_or(16));
                while let Some(v) = s.next_element::<&'de RawValue>()? {
                    out.push(v);
                }
                Ok(RawArray(out))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// A JSON value as a rule sees it: scalars decoded, containers left as raw text.
#[derive(Debug, Clone)]
pub enum Val<'a> {
    Null,
    Bool(bool),
    /// The number's JSON text, compared as text and parsed only for `gt`/`lt`.
    Num(&'a str),
    Str(Cow<'a, str>),
    /// An object or array, as its JSON text (what `|contains` on an object searches).
    Json(&'a str),
}

impl<'a> Val<'a> {
    /// Decodes one raw JSON value. Strings that are URL-encoded JSON (IAM policy documents in
    /// CloudTrail often are) are decoded, so that rules see the document.
    pub fn from_raw(raw: &'a RawValue) -> Val<'a> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<Key<'a>>(text) {
                Ok(Key(s)) => Val::Str(url_decoded_json(s)),
                Err(_) => Val::Json(text),
            },
            Some(b'n') => Val::Null,
            Some(b't') => Val::Bool(true),
            Some(b'f') => Val::Bool(false),
            Some(b'{') | Some(b'[') => Val::Json(text),
            _ => Val::Num(text),
        }
    }

    /// The value as text for string comparisons: JSON booleans compare as `true`/`false`, as
    /// Sigma users expect (`field: 'false'`).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Val::Null => None,
            Val::Bool(true) => Some("true"),
            Val::Bool(false) => Some("false"),
            Val::Num(n) => Some(n),
            Val::Str(s) => Some(s),
            Val::Json(j) => Some(j),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Num(n) => n.parse().ok(),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// A field path, split once at rule compile time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<String>);

impl Path {
    pub fn parse(s: &str) -> Path {
        Path(s.split('.').map(str::to_string).collect())
    }
}

/// One CloudTrail record.
pub struct Record<'a> {
    /// The record's JSON text, for keyword search and for printing the matched event.
    pub raw: &'a str,
    pub top: RawObject<'a>,
}

impl<'a> Record<'a> {
    pub fn parse(raw: &'a RawValue) -> Result<Record<'a>, serde_json::Error> {
        let top: RawObject<'a> = serde_json::from_str(raw.get())?;
        Ok(Record {
            raw: raw.get(),
            top,
        })
    }

    /// A top-level string field (`eventName`, `eventSource`, `eventTime`, ...).
    pub fn str_field(&self, key: &str) -> Option<Cow<'a, str>> {
        match Val::from_raw(self.top.get(key)?) {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Every value at `path`. Arrays on the way are walked into: each element is tried, as
    /// Sigma's dotted field names do (`ipPermissions.items.ipRanges.items.cidrIp`).
    pub fn values(&self, path: &Path, out: &mut Vec<Val<'a>>) {
        let Some((first, rest)) = path.0.split_first() else {
            return;
        };
        if let Some(v) = self.top.get(first) {
            collect(v, rest, out);
        } else if first == "keyward" && rest.len() == 1 {
            if let Some(b) = self.derived(&rest[0]) {
                out.push(Val::Bool(b));
            }
        }
    }

    /// Keyward's derived fields (`keyward.*`): facts about a record that no string pattern can
    /// state reliably. `None` when the record has nothing to derive them from.
    fn derived(&self, name: &str) -> Option<bool> {
        let any_action = match name {
            "policyAllowsAll" => true,
            "policyAllowsAllResources" => false,
            _ => return None,
        };
        let mut docs = Vec::new();
        self.values(&Path::parse("requestParameters.policyDocument"), &mut docs);
        let doc = docs.iter().find_map(|d| match d {
            Val::Str(s) => PolicyDocument::parse(s).ok(),
            Val::Json(j) => PolicyDocument::parse(j).ok(),
            _ => None,
        })?;
        Some(!doc.broad_statements(any_action).is_empty())
    }

    /// The first scalar (string, number, boolean) at `path`, as text: the value an alert shows
    /// or a correlation groups by.
    pub fn first_scalar(&self, path: &Path) -> Option<String> {
        let mut v = Vec::new();
        self.values(path, &mut v);
        v.into_iter()
            .find(|v| !matches!(v, Val::Null | Val::Json(_)))
            .and_then(|v| v.as_text().map(str::to_string))
    }
}

fn collect<'a>(raw: &'a RawValue, rest: &[String], out: &mut Vec<Val<'a>>) {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'[') => {
            if let Ok(arr) = serde_json::from_str::<RawArray<'a>>(text) {
                if rest.is_empty() {
                    // A list field compared to a value: any element may match, and the list's
                    // own text serves `|contains` on the whole.
                    out.extend(arr.0.iter().map(|e| Val::from_raw(e)));
                    out.push(Val::Json(text));
                } else {
                    for e in arr.0 {
                        collect(e, rest, out);
                    }
                }
            }
        }
        Some(b'{') if !rest.is_empty() => {
            if let Ok(obj) = serde_json::from_str::<RawObject<'a>>(text) {
                if let Some(v) = obj.get(&rest[0]) {
                    collect(v, &rest[1..], out);
                } else if rest.len() > 1 {
                    // A key that itself holds dots (rare, but CloudTrail has some).
                    let joined = rest.join(".");
                    if let Some(v) = obj.get(&joined) {
                        collect(v, &[], out);
                    }
                }
            }
        }
        _ if rest.is_empty() => out.push(Val::from_raw(raw)),
        // A JSON string that holds JSON (policy documents): walk into the decoded document.
        Some(b'"') => {
            if let Val::Str(s) = Val::from_raw(raw) {
                if s.starts_with('{') || s.starts_with('[') {
                    if let Ok(inner) = serde_json::from_str::<Box<RawValue>>(&s) {
                        let mut tmp = Vec::new();
                        collect(&inner, rest, &mut tmp);
                        out.extend(tmp.into_iter().map(own));
                    }
                }
            }
        }
        _ => {}
    }
}

/// Detaches a value from a temporary buffer.
fn own<'a>(v: Val<'_>) -> Val<'a> {
    match v {
        Val::Null => Val::Null,
        Val::Bool(b) => Val::Bool(b),
        Val::Num(n) => Val::Str(Cow::Owned(n.to_string())),
        Val::Str(s) => Val::Str(Cow::Owned(s.into_owned())),
        Val::Json(j) => Val::Str(Cow::Owned(j.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(s: &str) -> Box<RawValue> {
        serde_json::from_str(s).expect("test JSON")
    }

    fn texts(r: &Record, p: &str) -> Vec<String> {
        let mut v = Vec::new();
        r.values(&Path::parse(p), &mut v);
        v.iter()
            .map(|v| v.as_text().unwrap_or("<null>").to_string())
            .collect()
    }

    #[test]
    fn walks_objects_arrays_and_embedded_json() {
        let raw = rec(
            r#"{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"ipPermissions":{"items":[{"fromPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"},{"cidrIp":"0.0.0.0/0"}]}}]},"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\"}]}"},"flag":false,"esc":"a\"b"}"#,
        );
        let r = Record::parse(&raw).expect("record");
        assert_eq!(
            texts(
                &r,
                "requestParameters.ipPermissions.items.ipRanges.items.cidrIp"
            ),
            ["10.0.0.0/8", "0.0.0.0/0"]
        );
        assert_eq!(
            texts(&r, "requestParameters.ipPermissions.items.fromPort"),
            ["22"]
        );
        assert_eq!(
            texts(&r, "requestParameters.policyDocument.Statement.Effect"),
            ["Allow"]
        );
        assert_eq!(texts(&r, "flag"), ["false"]);
        assert_eq!(texts(&r, "esc"), ["a\"b"]);
        assert!(texts(&r, "requestParameters.nothing").is_empty());
        assert_eq!(
            r.str_field("eventName").as_deref(),
            Some("AuthorizeSecurityGroupIngress")
        );
    }

    #[test]
    fn derived_policy_fields() {
        let all = rec(
            r#"{"requestParameters":{"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"*\"],\"Resource\":\"*\"}]}"}}"#,
        );
        let r = Record::parse(&all).expect("record");
        assert_eq!(texts(&r, "keyward.policyAllowsAll"), ["true"]);
        assert_eq!(texts(&r, "keyward.policyAllowsAllResources"), ["true"]);
        let scoped = rec(
            r#"{"requestParameters":{"policyDocument":"%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D"}}"#,
        );
        let r = Record::parse(&scoped).expect("record");
        assert_eq!(texts(&r, "keyward.policyAllowsAll"), ["false"]);
        assert_eq!(texts(&r, "keyward.policyAllowsAllResources"), ["true"]);
        let none = rec(r#"{"eventName":"X"}"#);
        assert!(texts(
            &Record::parse(&none).expect("record"),
            "keyward.policyAllowsAll"
        )
        .is_empty());
    }

    #[test]
    fn url_encoded_policy_documents_are_decoded() {
        let raw = rec(r#"{"p":"%7B%22Statement%22%3A%5B%7B%22Action%22%3A%22*%22%7D%5D%7D"}"#);
        let r = Record::parse(&raw).expect("record");
        assert_eq!(texts(&r, "p"), [r#"{"Statement":[{"Action":"*"}]}"#]);
        assert_eq!(texts(&r, "p.Statement.Action"), ["*"]);
        assert_eq!(
            url_decoded_json(Cow::Borrowed("%7B%2")),
            Cow::<str>::Owned("{%2".into())
        );
    }
}
