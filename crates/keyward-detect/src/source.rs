//! CloudTrail as it is stored: files and trees in the S3 layout, gzip or plain, and the shapes
//! exports take.
//!
//! A file is read as a stream of JSON values (one document, or JSON Lines); each value is
//! classified:
//! - `{"Records": [...]}`: a CloudTrail log file as CloudTrail writes it to S3;
//! - a record (has `eventName`/`eventSource`/`eventTime`): JSON Lines, or an element of an array;
//! - `[...]`: an array of records;
//! - `{"Events": [{"CloudTrailEvent": "<json>"}, ...]}`: `aws cloudtrail lookup-events` output;
//! - `{"QueryResultRows": [[{"col": value}, ...], ...]}`: CloudTrail Lake `get-query-results`
//!   output (each row's single-key cells merged into one record; an `eventJson` cell is used
//!   whole when present).
//!
//! Large files are read in chunks: JSON Lines never holds more than a chunk and one line in
//! memory. A single document is held whole (CloudTrail's own files are a few MB).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use serde_json::value::RawValue;

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::record::{RawArray, RawObject, Record, Val};

/// A record handed to the caller: raw JSON, or already split into its top-level fields (JSON
/// Lines records are, by the same pass that found where they end).
pub enum Item<'a> {
    Raw(&'a RawValue),
    Parsed(Record<'a>),
}

/// A top-level JSON value, read in one pass: a CloudTrail file's `Records` are collected as raw
/// elements on the way, any other object keeps its fields, so no byte is parsed twice more than
/// it must be.
enum Top<'a> {
    Object(RawObject<'a>, Option<RawArray<'a>>),
    Array(RawArray<'a>),
    Scalar,
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Top<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(24);
                let mut records = None;
                while let Some(k) = m.next_key::<crate::record::Key<'de>>()? {
                    if k.0 == "Records" && records.is_none() {
                        records = Some(m.next_value::<RawArray<'de>>()?);
                    } else {
                        fields.push((k.0, m.next_value::<&'de RawValue>()?));
                    }
                }
                Ok(Top::Object(RawObject(fields), records))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, s: S) -> Result<Self::Value, S::Error> {
                RawArray::deserialize(serde::de::value::SeqAccessDeserializer::new(s))
                    .map(Top::Array)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Top::Scalar)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Why a file found in a tree was not read (not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// CloudTrail's digest files (integrity proofs, no events).
    Digest,
    /// A name CloudTrail does not write (`.json`, `.json.gz`, `.jsonl`, `.ndjson`, `.gz`).
    NotCloudTrailName,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Digest => "CloudTrail digest file",
            SkipReason::NotCloudTrailName => "not a CloudTrail file name",
        }
    }
}

/// An input to read: a file, standard input (`-`), or an object already fetched (from S3),
/// named by its URL.
#[derive(Debug, Clone)]
pub enum Input {
    File(PathBuf),
    Stdin,
    Fetched { name: String, data: Arc<[u8]> },
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".into(),
            Input::Fetched { name, .. } => name.clone(),
        }
    }
}

/// Whether an object key (or file name) looks like a CloudTrail log file worth reading.
pub fn wanted_key(key: &str) -> Result<(), SkipReason> {
    wanted_name(FsPath::new(key))
}

/// A problem reading one input, reported with its path; the rest is still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub reason: String,
}

fn wanted_name(p: &FsPath) -> Result<(), SkipReason> {
    let s = p.to_string_lossy();
    if s.contains("CloudTrail-Digest") {
        return Err(SkipReason::Digest);
    }
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if [
        ".json",
        ".json.gz",
        ".jsonl",
        ".ndjson",
        ".gz",
        ".jsonl.gz",
        ".ndjson.gz",
    ]
    .iter()
    .any(|e| name.ends_with(e))
    {
        Ok(())
    } else {
        Err(SkipReason::NotCloudTrailName)
    }
}

/// Expands paths into files: directories are walked (in name order, which in the S3 layout is
/// time order), files named on the command line are always read.
pub fn expand(
    paths: &[PathBuf],
    skipped: &mut Vec<(String, SkipReason)>,
    errors: &mut Vec<InputError>,
) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let walker = ignore::WalkBuilder::new(p)
                    .standard_filters(false)
                    .hidden(false)
                    .sort_by_file_name(|a, b| a.cmp(b))
                    .build();
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                            match wanted_name(e.path()) {
                                Ok(()) => out.push(Input::File(e.into_path())),
                                Err(r) => skipped.push((e.path().display().to_string(), r)),
                            }
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(InputError {
                            path: p.display().to_string(),
                            reason: e.to_string(),
                        }),
                    }
                }
            }
            Ok(_) => out.push(Input::File(p.clone())),
            Err(e) => errors.push(InputError {
                path: p.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
    out
}

/// Opens an input, decompressing gzip when the data starts with gzip's magic number.
pub fn open(input: &Input) -> io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::File(p) => Box::new(File::open(p)?),
        Input::Stdin => Box::new(io::stdin()),
        Input::Fetched { data, .. } => Box::new(io::Cursor::new(data.clone())),
    };
    let mut br = BufReader::with_capacity(256 * 1024, raw);
    let gz = br.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(MultiGzDecoder::new(br))
    } else {
        Box::new(br)
    })
}

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy)]
pub struct Pos {
    /// The 1-based line where the record's top-level value starts, for JSON Lines; `None`
    /// for records inside a larger document.
    pub line: Option<u32>,
}

/// Counts and problems of reading one input.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Top-level values that were neither CloudTrail records nor a known container.
    pub foreign: u64,
    pub first_foreign: Option<String>,
    /// Malformed JSON: how many, and the first with its line.
    pub malformed: u64,
    pub first_malformed: Option<String>,
    /// The read itself failed (corrupt gzip, I/O error): the reason.
    pub failed: Option<String>,
}

const CHUNK: usize = 8 << 20;

/// Reads `input` and calls `each` with every CloudTrail record in it.
pub fn read_records(input: &Input, each: &mut dyn FnMut(Item<'_>, Pos)) -> ReadReport {
    let mut rep = ReadReport::default();
    let mut rd = match open(input) {
        Ok(r) => r,
        Err(e) => {
            rep.failed = Some(e.to_string());
            return rep;
        }
    };
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    let mut eof = false;
    // Lines before buf[0].
    let mut line_base: u64 = 0;
    loop {
        if !eof {
            let want = buf.len() + CHUNK;
            match fill(&mut rd, &mut buf, want) {
                Ok(n) => {
                    rep.bytes += n as u64;
                    eof = n == 0 || buf.len() < want;
                }
                Err(e) => {
                    rep.failed = Some(match e.kind() {
                        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                            format!("corrupt gzip data: {e}")
                        }
                        io::ErrorKind::UnexpectedEof => {
                            format!("corrupt gzip data (the file ends early): {e}")
                        }
                        _ => e.to_string(),
                    });
                    eof = true;
                }
            }
        }
        let consumed = parse_values(&buf, eof, line_base, &mut rep, each);
        line_base += memchr::memchr_iter(b'\n', &buf[..consumed]).count() as u64;
        buf.drain(..consumed);
        if eof {
            break;
        }
    }
    rep
}

/// Reads until `buf` holds `want` bytes or the input ends; returns the bytes added.
fn fill(rd: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let start = buf.len();
    let mut limited = rd.take((want - start) as u64);
    limited.read_to_end(buf)?;
    Ok(buf.len() - start)
}

/// Parses the complete JSON values in `buf`; returns how many bytes were consumed (a value cut
/// off by the chunk's end is left for the next round, unless the input has ended).
fn parse_values(
    buf: &[u8],
    eof: bool,
    line_base: u64,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) -> usize {
    let mut pos = 0;
    // Lines are counted as the parse moves on, never from the chunk's start again.
    let (mut counted_to, mut line) = (0usize, line_base + 1);
    let mut line_at = |start: usize| {
        line += memchr::memchr_iter(b'\n', &buf[counted_to..start]).count() as u64;
        counted_to = start;
        line
    };
    while pos < buf.len() {
        let mut it = serde_json::Deserializer::from_slice(&buf[pos..]).into_iter::<Top<'_>>();
        match it.next() {
            None => return buf.len(),
            Some(Ok(top)) => {
                let start = pos + leading_ws(&buf[pos..]);
                let line = line_at(start);
                let end = pos + it.byte_offset();
                pos = end;
                let text = std::str::from_utf8(&buf[start..end]).unwrap_or_default();
                classify_top(top, text, Some(line as u32), rep, each);
            }
            Some(Err(e)) if e.is_eof() && !eof => return pos,
            Some(Err(e)) => {
                let start = pos + leading_ws(&buf[pos..]);
                let line = line_at(start);
                rep.malformed += 1;
                // A log file cut short (an interrupted download or copy): keep the records
                // that arrived whole.
                let salvaged = if e.is_eof() {
                    salvage_records(&buf[start..], each)
                } else {
                    0
                };
                if rep.first_malformed.is_none() {
                    let what = match (e.is_eof(), salvaged) {
                        (false, _) => "malformed JSON".to_string(),
                        (true, 0) => "truncated JSON".to_string(),
                        (true, n) => format!(
                            "truncated JSON ({n} complete records before the cut were read)"
                        ),
                    };
                    // serde_json's own position is relative to this value; say where it starts.
                    let msg = e.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or_default();
                    rep.first_malformed = Some(format!(
                        "{what} in the value starting at line {line}: {msg}"
                    ));
                }
                // Resume at the line after the one where the bad value starts: in JSON Lines
                // the rest is still good (the parser may have run past that line).
                match memchr::memchr(b'\n', &buf[start..]) {
                    Some(nl) => pos = start + nl + 1,
                    None => return buf.len(),
                }
            }
        }
    }
    pos
}

/// The complete records at the start of a truncated `{"Records":[...` document.
fn salvage_records(doc: &[u8], each: &mut dyn FnMut(Item<'_>, Pos)) -> usize {
    let Some(k) = memchr::memmem::find(doc, b"\"Records\"") else {
        return 0;
    };
    let Some(open) = memchr::memchr(b'[', &doc[k..]) else {
        return 0;
    };
    let mut pos = k + open + 1;
    let mut n = 0;
    loop {
        pos += leading_ws(&doc[pos..]);
        let mut it = serde_json::Deserializer::from_slice(&doc[pos..]).into_iter::<&RawValue>();
        let Some(Ok(v)) = it.next() else {
            return n;
        };
        each(Item::Raw(v), Pos { line: None });
        n += 1;
        pos += it.byte_offset();
        pos += leading_ws(&doc[pos..]);
        if doc.get(pos) != Some(&b',') {
            return n;
        }
        pos += 1;
    }
}

fn leading_ws(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

fn is_record(o: &RawObject<'_>) -> bool {
    o.get("eventName").is_some() || o.get("eventSource").is_some() || o.get("eventTime").is_some()
}

fn classify_top<'a>(
    top: Top<'a>,
    text: &'a str,
    line: Option<u32>,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) {
    match top {
        Top::Object(o, Some(records)) if !is_record(&o) => {
            for r in records.0 {
                each(Item::Raw(r), Pos { line: None });
            }
        }
        Top::Object(o, None) if is_record(&o) => {
            each(Item::Parsed(Record { raw: text, top: o }), Pos { line });
        }
        Top::Array(a) => {
            for e in a.0 {
                classify(e, None, rep, each);
            }
        }
        Top::Object(o, None) => classify_object(&o, line, rep, each),
        // A record that also has a `Records` key: rare enough to parse again whole.
        Top::Object(_, Some(_)) => match serde_json::from_str::<&RawValue>(text) {
            Ok(v) => each(Item::Raw(v), Pos { line }),
            Err(e) => foreign(rep, line, &e.to_string()),
        },
        Top::Scalar => foreign(rep, line, "a JSON scalar"),
    }
}

/// Counts a value that is not CloudTrail, keeping the first reason.
fn foreign(rep: &mut ReadReport, line: Option<u32>, why: &str) {
    rep.foreign += 1;
    if rep.first_foreign.is_none() {
        let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
        rep.first_foreign = Some(format!("not CloudTrail{at}: {why}"));
    }
}

/// An object that is not itself a record: a CloudTrail file, an export, or something else.
fn classify_object(
    o: &RawObject<'_>,
    line: Option<u32>,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) {
    if let Some(records) = o.get("Records") {
        match serde_json::from_str::<RawArray<'_>>(records.get()) {
            Ok(a) => {
                a.0.into_iter()
                    .for_each(|r| each(Item::Raw(r), Pos { line: None }))
            }
            Err(_) => foreign(rep, line, "`Records` is not a list"),
        }
    } else if let Some(events) = o.get("Events") {
        lookup_events(events, line, rep, each);
    } else if let Some(rows) = o.get("QueryResultRows") {
        lake_rows(rows, line, rep, each);
    } else {
        let keys: Vec<&str> = o.0.iter().take(4).map(|(k, _)| k.as_ref()).collect();
        foreign(
            rep,
            line,
            &format!("an object with keys {}", keys.join(", ")),
        );
    }
}

fn classify(
    v: &RawValue,
    line: Option<u32>,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) {
    let text = v.get();
    match text.as_bytes().first() {
        Some(b'[') => match serde_json::from_str::<RawArray<'_>>(text) {
            Ok(a) => {
                for e in a.0 {
                    classify(e, None, rep, each);
                }
            }
            Err(e) => foreign(rep, line, &e.to_string()),
        },
        Some(b'{') => match serde_json::from_str::<RawObject<'_>>(text) {
            Ok(o) if is_record(&o) => each(Item::Raw(v), Pos { line }),
            Ok(o) => classify_object(&o, line, rep, each),
            Err(_) => foreign(rep, line, "unreadable object"),
        },
        _ => foreign(rep, line, "a JSON scalar"),
    }
}

fn lookup_events(
    events: &RawValue,
    line: Option<u32>,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) {
    let Ok(list) = serde_json::from_str::<RawArray<'_>>(events.get()) else {
        return foreign(rep, line, "`Events` is not a list");
    };
    for e in list.0 {
        let Ok(o) = serde_json::from_str::<RawObject<'_>>(e.get()) else {
            foreign(rep, line, "an `Events` entry is not an object");
            continue;
        };
        let inner = o.get("CloudTrailEvent").map(Val::from_raw);
        match inner {
            Some(Val::Str(s)) => match serde_json::from_str::<&RawValue>(&s) {
                Ok(r) => each(Item::Raw(r), Pos { line }),
                Err(err) => {
                    rep.malformed += 1;
                    if rep.first_malformed.is_none() {
                        rep.first_malformed = Some(format!("CloudTrailEvent is not JSON: {err}"));
                    }
                }
            },
            _ => foreign(rep, line, "an `Events` entry without `CloudTrailEvent`"),
        }
    }
}

fn lake_rows(
    rows: &RawValue,
    line: Option<u32>,
    rep: &mut ReadReport,
    each: &mut dyn FnMut(Item<'_>, Pos),
) {
    let Ok(rows) = serde_json::from_str::<RawArray<'_>>(rows.get()) else {
        return foreign(rep, line, "`QueryResultRows` is not a list");
    };
    for row in rows.0 {
        let Ok(cells) = serde_json::from_str::<RawArray<'_>>(row.get()) else {
            foreign(rep, line, "a Lake result row is not a list");
            continue;
        };
        let mut merged = serde_json::Map::new();
        let mut whole: Option<String> = None;
        for c in cells.0 {
            let Ok(o) = serde_json::from_str::<RawObject<'_>>(c.get()) else {
                continue;
            };
            for (k, v) in o.0 {
                if k == "eventJson" {
                    if let Val::Str(s) = Val::from_raw(v) {
                        whole = Some(s.into_owned());
                    }
                    continue;
                }
                // Lake returns nested columns as JSON text in strings; keep them as objects.
                let value = match Val::from_raw(v) {
                    Val::Str(s) if s.starts_with('{') || s.starts_with('[') => {
                        serde_json::from_str(&s)
                            .unwrap_or(serde_json::Value::String(s.into_owned()))
                    }
                    _ => serde_json::from_str(v.get()).unwrap_or(serde_json::Value::Null),
                };
                merged.insert(k.into_owned(), value);
            }
        }
        let json = whole.unwrap_or_else(|| serde_json::Value::Object(merged).to_string());
        match serde_json::from_str::<&RawValue>(&json) {
            Ok(r) => each(Item::Raw(r), Pos { line: None }),
            Err(_) => foreign(rep, line, "a Lake row that is not a record"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn records(content: &[u8]) -> (Vec<(String, Option<u32>)>, ReadReport) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.json");
        std::fs::write(&p, content).expect("write");
        let mut got = Vec::new();
        let rep = read_records(&Input::File(p), &mut |r, pos| {
            let text = match r {
                Item::Raw(v) => v.get().to_string(),
                Item::Parsed(rec) => rec.raw.to_string(),
            };
            got.push((text, pos.line))
        });
        (got, rep)
    }

    #[test]
    fn every_shape_yields_its_records() {
        let (r, rep) = records(br#"{"Records":[{"eventName":"A"},{"eventName":"B"}]}"#);
        assert_eq!(r.len(), 2);
        assert_eq!(rep.malformed + rep.foreign, 0);
        let (r, _) = records(b"{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\n");
        assert_eq!(
            r.iter().map(|x| x.1).collect::<Vec<_>>(),
            [Some(1), Some(3)]
        );
        let (r, _) = records(br#"[{"eventName":"A"}]"#);
        assert_eq!(r.len(), 1);
        let (r, _) = records(
            br#"{"Events":[{"EventId":"1","CloudTrailEvent":"{\"eventName\":\"A\",\"eventTime\":\"2024-01-01T00:00:00Z\"}"}]}"#,
        );
        assert_eq!(r.len(), 1);
        assert!(r[0].0.contains("\"eventName\":\"A\""));
        let (r, _) = records(
            br#"{"QueryResultRows":[[{"eventName":"A"},{"userIdentity":"{\"type\":\"Root\"}"}]]}"#,
        );
        assert_eq!(r.len(), 1);
        assert!(
            r[0].0.contains(r#""userIdentity":{"type":"Root"}"#),
            "{}",
            r[0].0
        );
    }

    #[test]
    fn bad_lines_are_counted_and_the_rest_is_read() {
        let (r, rep) = records(
            b"{\"eventName\":\"A\"}\n{\"eventName\":\n{\"eventName\":\"C\"}\n{\"other\":1}\n",
        );
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(rep.malformed, 1);
        assert!(
            rep.first_malformed
                .as_deref()
                .is_some_and(|m| m.contains("line 2")),
            "{rep:?}"
        );
        assert_eq!(rep.foreign, 1);
        let (r, rep) = records(br#"{"Records":[{"eventName":"A"},{"eventN"#);
        assert_eq!(r.len(), 1, "the record before the cut is kept");
        assert!(
            rep.first_malformed
                .as_deref()
                .is_some_and(|m| m.starts_with("truncated")),
            "{rep:?}"
        );
    }

    #[test]
    fn gzip_is_sniffed_and_corruption_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.json.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(br#"{"Records":[{"eventName":"A"}]}"#)
            .expect("gz");
        let mut gz = e.finish().expect("gz");
        std::fs::write(&p, &gz).expect("write");
        let mut n = 0;
        let rep = read_records(&Input::File(p.clone()), &mut |_, _| n += 1);
        assert_eq!((n, rep.failed), (1, None));
        let mid = gz.len() / 2;
        gz[mid] ^= 0xff;
        gz.truncate(gz.len() - 4);
        std::fs::write(&p, &gz).expect("write");
        let rep = read_records(&Input::File(p), &mut |_, _| {});
        assert!(rep.failed.is_some() || rep.malformed > 0, "{rep:?}");
    }
}
