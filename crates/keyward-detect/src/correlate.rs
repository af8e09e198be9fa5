//! Sigma correlations over the matches of their rules, in event-time order.
//!
//! Workers send a [`Hit`] for every match of a rule that a correlation refers to; hits are
//! few (they are matches, not events). [`Correlator`] takes them in `eventTime` order and keeps,
//! per correlation and group-by key, only the events inside the correlation's time window, so
//! its memory is bounded by the windows, not by the trail.
//!
//! Semantics (Sigma correlation specification v2): `event_count` counts matches in the window;
//! `value_count` counts distinct values of a field; `temporal` needs every referred rule (or as
//! many as `condition` says) to match within the window; `temporal_ordered` also needs them in
//! the listed order. A correlation fires once per group and then starts afresh, so a burst
//! raises one alert, not one per further event. A hit whose group-by field is missing joins no
//! group: it cannot be told apart from other principals' events.

use std::collections::{HashMap, VecDeque};

use crate::alert::EventRef;
use crate::engine::RuleSet;
use crate::rule::CorrKind;

/// A match of a rule that correlation `corr` refers to at position `member`.
#[derive(Debug, Clone)]
pub struct Hit {
    pub corr: u32,
    pub member: u32,
    pub key: Vec<String>,
    pub value: Option<String>,
    pub ev: EventRef,
}

/// A correlation that fired: its index in [`RuleSet::corrs`], the shared group-by values, and
/// the events joined, oldest first.
#[derive(Debug, Clone)]
pub struct Fired {
    pub corr: usize,
    pub group: Vec<(String, String)>,
    pub events: Vec<EventRef>,
}

enum State {
    Count(VecDeque<EventRef>),
    /// The window's events with their (lower-cased) values, and how often each value occurs in
    /// it, so the distinct count is kept as events come and go instead of recounted per hit.
    Values(VecDeque<(EventRef, String)>, HashMap<String, usize>),
    Temporal(Vec<Option<EventRef>>),
    /// `chains[i]`: the latest-starting sequence that has matched members `0..=i` in order.
    Ordered(Vec<Option<Vec<EventRef>>>),
}

impl State {
    fn newest(&self) -> i64 {
        match self {
            State::Count(q) => q.back().map_or(i64::MIN, |e| e.time),
            State::Values(q, _) => q.back().map_or(i64::MIN, |e| e.0.time),
            State::Temporal(s) => s.iter().flatten().map(|e| e.time).max().unwrap_or(i64::MIN),
            State::Ordered(c) => c
                .iter()
                .flatten()
                .filter_map(|c| c.last())
                .map(|e| e.time)
                .max()
                .unwrap_or(i64::MIN),
        }
    }
}

pub struct Correlator<'s> {
    set: &'s RuleSet,
    states: Vec<HashMap<Vec<String>, State>>,
    fired: Vec<Fired>,
    since_sweep: usize,
}

impl<'s> Correlator<'s> {
    pub fn new(set: &'s RuleSet) -> Self {
        Correlator {
            set,
            states: set.corrs.iter().map(|_| HashMap::new()).collect(),
            fired: Vec::new(),
            since_sweep: 0,
        }
    }

    /// Runs `hits` (any order) and returns what fired.
    pub fn run(set: &'s RuleSet, mut hits: Vec<Hit>) -> Vec<Fired> {
        // Later positions first on ties, so one event never fills two steps of a sequence.
        hits.sort_by(|a, b| {
            a.ev.time
                .cmp(&b.ev.time)
                .then_with(|| a.ev.file.cmp(&b.ev.file))
                .then_with(|| a.ev.line.cmp(&b.ev.line))
                .then_with(|| b.member.cmp(&a.member))
        });
        let mut c = Correlator::new(set);
        for h in hits {
            c.push(h);
        }
        c.fired
    }

    /// Takes one hit; hits must come in `eventTime` order.
    pub fn push(&mut self, h: Hit) {
        let plan = &self.set.corrs[h.corr as usize];
        let span = plan.def.timespan_secs;
        let t = h.ev.time;
        let cond = &plan.def.condition;
        let holds = |n: usize| cond.iter().all(|(op, b)| op.holds(n as f64, *b));
        let n_members = plan.members.len();
        let states = &mut self.states[h.corr as usize];
        let state = states
            .entry(h.key.clone())
            .or_insert_with(|| match plan.def.kind {
                CorrKind::EventCount => State::Count(VecDeque::new()),
                CorrKind::ValueCount => State::Values(VecDeque::new(), HashMap::new()),
                CorrKind::Temporal => State::Temporal(vec![None; n_members]),
                CorrKind::TemporalOrdered => State::Ordered(vec![None; n_members]),
            });
        let mut fired: Option<Vec<EventRef>> = None;
        match state {
            State::Count(q) => {
                q.push_back(h.ev);
                while q.front().is_some_and(|e| e.time < t - span) {
                    q.pop_front();
                }
                if holds(q.len()) {
                    fired = Some(q.drain(..).collect());
                }
            }
            State::Values(q, counts) => {
                if let Some(v) = h.value {
                    let v = v.to_ascii_lowercase();
                    *counts.entry(v.clone()).or_insert(0) += 1;
                    q.push_back((h.ev, v));
                }
                while q.front().is_some_and(|e| e.0.time < t - span) {
                    if let Some((_, v)) = q.pop_front() {
                        if let Some(n) = counts.get_mut(&v) {
                            *n -= 1;
                            if *n == 0 {
                                counts.remove(&v);
                            }
                        }
                    }
                }
                if !q.is_empty() && holds(counts.len()) {
                    counts.clear();
                    fired = Some(q.drain(..).map(|(e, _)| e).collect());
                }
            }
            State::Temporal(slots) => {
                slots[h.member as usize] = Some(h.ev);
                for s in slots.iter_mut() {
                    if s.as_ref().is_some_and(|e| e.time < t - span) {
                        *s = None;
                    }
                }
                let n = slots.iter().flatten().count();
                let done = if cond.is_empty() {
                    n == slots.len()
                } else {
                    holds(n)
                };
                if done {
                    let mut evs: Vec<EventRef> =
                        slots.iter_mut().filter_map(Option::take).collect();
                    evs.sort_by_key(|e| e.time);
                    fired = Some(evs);
                }
            }
            State::Ordered(chains) => {
                let p = h.member as usize;
                let extended = if p == 0 {
                    Some(vec![h.ev])
                } else {
                    chains[p - 1]
                        .as_ref()
                        .filter(|c| c.first().is_some_and(|f| f.time >= t - span))
                        .map(|c| {
                            let mut c = c.clone();
                            c.push(h.ev);
                            c
                        })
                };
                if let Some(c) = extended {
                    let start = c.first().map_or(i64::MIN, |e| e.time);
                    let better = chains[p]
                        .as_ref()
                        .is_none_or(|old| old.first().map_or(i64::MIN, |e| e.time) <= start);
                    if better {
                        chains[p] = Some(c);
                    }
                }
                if let Some(done) = chains.last_mut().and_then(Option::take) {
                    chains.iter_mut().for_each(|c| *c = None);
                    fired = Some(done);
                }
            }
        }
        if let Some(events) = fired {
            let group = plan
                .def
                .group_by
                .iter()
                .cloned()
                .zip(h.key.iter().cloned())
                .collect();
            self.fired.push(Fired {
                corr: h.corr as usize,
                group,
                events,
            });
        }
        self.since_sweep += 1;
        if self.since_sweep >= 4096 {
            self.since_sweep = 0;
            self.sweep(t);
        }
    }

    /// Forgets groups whose newest event left every window.
    fn sweep(&mut self, now: i64) {
        for (ci, states) in self.states.iter_mut().enumerate() {
            let span = self.set.corrs[ci].def.timespan_secs;
            states.retain(|_, s| s.newest() >= now - span);
        }
    }
}
