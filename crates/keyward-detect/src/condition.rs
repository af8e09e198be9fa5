//! Sigma condition expressions: `selection and not 1 of filter_*`.
//!
//! Grammar (Sigma specification, v2): `or` binds loosest, then `and`, then `not`; parentheses;
//! `1 of X`, `any of X`, `all of X` where X is a detection name, a wildcard pattern over names
//! (`selection_*`), or `them` (every detection whose name does not start with `_`).
//! The Sigma v1 aggregation suffix (`| count() by x > 5`) is refused with a message pointing to
//! correlation rules, which replaced it.

use std::fmt;

/// A parsed condition over detection indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Det(usize),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    pub fn eval(&self, det: &mut impl FnMut(usize) -> bool) -> bool {
        match self {
            Cond::Det(i) => det(*i),
            Cond::Not(c) => !c.eval(det),
            Cond::And(cs) => cs.iter().all(|c| c.eval(det)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(det)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondError(pub String);

impl fmt::Display for CondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    LParen,
    RParen,
    Pipe,
}

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Tok>| {
        if !cur.is_empty() {
            out.push(Tok::Ident(std::mem::take(cur)));
        }
    };
    for c in s.chars() {
        match c {
            '(' | ')' | '|' => {
                flush(&mut cur, &mut out);
                out.push(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    _ => Tok::Pipe,
                });
            }
            c if c.is_whitespace() => flush(&mut cur, &mut out),
            c => cur.push(c),
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Parses `text` against the rule's detection names (in their order in the rule).
pub fn parse(text: &str, names: &[String]) -> Result<Cond, CondError> {
    let toks = lex(text);
    if toks.contains(&Tok::Pipe) {
        return Err(CondError(format!(
            "condition `{text}` uses the Sigma v1 aggregation syntax (`| count() ...`), which \
             Sigma v2 replaced with correlation rules; rewrite it as an `event_count` or \
             `value_count` correlation"
        )));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        names,
    };
    let c = p.or()?;
    if p.pos != p.toks.len() {
        return Err(CondError(format!(
            "unexpected `{}` in condition `{text}`",
            p.show(p.pos)
        )));
    }
    Ok(c)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a [String],
}

impl Parser<'_> {
    fn show(&self, i: usize) -> String {
        match self.toks.get(i) {
            Some(Tok::Ident(s)) => s.clone(),
            Some(Tok::LParen) => "(".into(),
            Some(Tok::RParen) => ")".into(),
            Some(Tok::Pipe) => "|".into(),
            None => "end of condition".into(),
        }
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        self.chain("or", Self::and, Cond::Or)
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        self.chain("and", Self::not, Cond::And)
    }

    /// `next (kw next)*`, one level of the precedence ladder.
    fn chain(
        &mut self,
        kw: &str,
        next: fn(&mut Self) -> Result<Cond, CondError>,
        join: fn(Vec<Cond>) -> Cond,
    ) -> Result<Cond, CondError> {
        let mut parts = vec![next(self)?];
        while self.keyword(kw) {
            self.pos += 1;
            parts.push(next(self)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            join(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, CondError> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Cond, CondError> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let c = self.or()?;
                if self.toks.get(self.pos) != Some(&Tok::RParen) {
                    return Err(CondError(format!(
                        "expected `)` but found `{}`",
                        self.show(self.pos)
                    )));
                }
                self.pos += 1;
                Ok(c)
            }
            Some(Tok::Ident(q)) if self.is_of(&q) => {
                self.pos += 2;
                let Some(Tok::Ident(target)) = self.toks.get(self.pos).cloned() else {
                    return Err(CondError(format!(
                        "expected a detection name or `them` after `{q} of`, found `{}`",
                        self.show(self.pos)
                    )));
                };
                self.pos += 1;
                let idx = self.select(&target)?;
                let dets: Vec<Cond> = idx.into_iter().map(Cond::Det).collect();
                Ok(if q.eq_ignore_ascii_case("all") {
                    Cond::And(dets)
                } else {
                    Cond::Or(dets)
                })
            }
            Some(Tok::Ident(name)) => {
                if ["and", "or", "of"]
                    .iter()
                    .any(|k| name.eq_ignore_ascii_case(k))
                {
                    return Err(CondError(format!("unexpected `{name}`")));
                }
                self.pos += 1;
                match self.names.iter().position(|n| *n == name) {
                    Some(i) => Ok(Cond::Det(i)),
                    None => Err(CondError(format!(
                        "condition names `{name}`, which is not a detection of this rule"
                    ))),
                }
            }
            _ => Err(CondError(format!(
                "expected a detection name, found `{}`",
                self.show(self.pos)
            ))),
        }
    }

    fn is_of(&self, q: &str) -> bool {
        (q == "1" || q.eq_ignore_ascii_case("all") || q.eq_ignore_ascii_case("any"))
            && matches!(self.toks.get(self.pos + 1), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("of"))
    }

    fn select(&self, target: &str) -> Result<Vec<usize>, CondError> {
        let hits: Vec<usize> = if target.eq_ignore_ascii_case("them") {
            (0..self.names.len())
                .filter(|&i| !self.names[i].starts_with('_'))
                .collect()
        } else {
            (0..self.names.len())
                .filter(|&i| wildcard_eq(target, &self.names[i]))
                .collect()
        };
        if hits.is_empty() {
            return Err(CondError(format!(
                "`of {target}` names no detection of this rule"
            )));
        }
        Ok(hits)
    }
}

/// `selection_*` against a detection name (`*` any run, `?` one character).
fn wildcard_eq(pat: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence_and_quantifiers() {
        let n = names(&["sel", "filter_a", "filter_b", "_hidden"]);
        let c = parse("sel and not 1 of filter_*", &n).expect("parses");
        assert_eq!(
            c,
            Cond::And(vec![
                Cond::Det(0),
                Cond::Not(Box::new(Cond::Or(vec![Cond::Det(1), Cond::Det(2)])))
            ])
        );
        let c = parse("all of them", &n).expect("parses");
        assert_eq!(c, Cond::And(vec![Cond::Det(0), Cond::Det(1), Cond::Det(2)]));
        let c = parse("sel or filter_a and filter_b", &n).expect("parses");
        assert_eq!(
            c,
            Cond::Or(vec![
                Cond::Det(0),
                Cond::And(vec![Cond::Det(1), Cond::Det(2)])
            ])
        );
        let c = parse("not (sel or _hidden)", &n).expect("parses");
        assert_eq!(
            c,
            Cond::Not(Box::new(Cond::Or(vec![Cond::Det(0), Cond::Det(3)])))
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let n = names(&["sel"]);
        let e = parse("sel | count() by userIdentity.arn > 10", &n).expect_err("v1");
        assert!(e.0.contains("correlation"), "{e}");
        let e = parse("sel and missing", &n).expect_err("unknown");
        assert!(e.0.contains("`missing`"), "{e}");
        let e = parse("(sel", &n).expect_err("paren");
        assert!(e.0.contains("expected `)`"), "{e}");
        let e = parse("1 of nothing_*", &n).expect_err("no match");
        assert!(e.0.contains("nothing_*"), "{e}");
    }
}
