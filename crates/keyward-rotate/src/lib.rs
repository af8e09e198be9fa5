//! `keyward rotate`'s planner: which access-key action is due for each IAM user, and why.
//!
//! Pure: it reads what the executor found (each user's keys with their dates, which key the
//! user's secret in Secrets Manager holds, which keys were proven to work) and returns one
//! [`Plan`] per user. The lifecycle is the standard one (a new key at 90 days, the old one
//! deactivated at 100 and deleted at 110), exactly as configured, with dates printed.
//!
//! The rules that keep a workload from being locked out live here, so that they can be tested
//! without AWS:
//! - a new key is created only when the user has fewer than two keys (an inactive key past its
//!   delete date is removed first; an active one never is);
//! - an old key is deactivated only when a newer key exists that is active, stored in the
//!   user's secret and proven to work, the old key has not been used since the newer one was
//!   made (the workload has switched), and that newer key has been there as long as the
//!   schedule gives a workload to switch (deactivate age minus create age: 10 days by default),
//!   so a key found long past its age is not replaced and switched off in the same hour;
//! - a key is deleted only when it is inactive, past the delete age, and (when the journal
//!   knows when it was deactivated) inactive for as long as the schedule gives to notice a
//!   breakage and turn it back on (delete age minus deactivate age);
//! - a rotation left half done by a crash (a key created but never stored) is undone first:
//!   nobody holds that key, since AWS shows a secret only once.

pub mod journal;
pub mod report;
pub mod secret;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The lifecycle, in days since a key was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub create_after_days: i64,
    pub deactivate_after_days: i64,
    pub delete_after_days: i64,
    /// Users in this group are skipped.
    pub exempt_group: String,
    /// Users with this tag (any value) are skipped.
    pub exempt_tag: Option<String>,
    /// Deactivate an old key even when it was used after its successor was made (the
    /// workload has not switched). Off by default: such a key is left active and reported.
    #[serde(default)]
    pub deactivate_in_use: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            create_after_days: 90,
            deactivate_after_days: 100,
            delete_after_days: 110,
            exempt_group: "IAMKeyRotationExemptionGroup".into(),
            exempt_tag: None,
            deactivate_in_use: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("the ages must grow: create ({0} d) < deactivate ({1} d) < delete ({2} d)")]
    Order(i64, i64, i64),
}

impl Lifecycle {
    pub fn validate(&self) -> Result<(), LifecycleError> {
        if 0 < self.create_after_days
            && self.create_after_days < self.deactivate_after_days
            && self.deactivate_after_days < self.delete_after_days
        {
            Ok(())
        } else {
            Err(LifecycleError::Order(
                self.create_after_days,
                self.deactivate_after_days,
                self.delete_after_days,
            ))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

/// One access key as the executor found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub id: String,
    pub status: KeyStatus,
    /// Seconds since the epoch.
    pub created: i64,
    pub last_used: Option<i64>,
}

/// One user and what is known about their keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub account: String,
    pub name: String,
    pub arn: String,
    pub groups: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub keys: Vec<Key>,
    /// The access key id the user's secret in Secrets Manager holds now, if any.
    pub stored_key: Option<String>,
    /// Keys proven to work (a call signed with them succeeded), from the journal.
    pub verified: BTreeSet<String>,
    /// A key this tool created and never stored (a crash between the two steps).
    pub orphan: Option<String>,
    /// When this tool deactivated a key (seconds since the epoch), from the journal.
    #[serde(default)]
    pub deactivated: BTreeMap<String, i64>,
}

/// What to do for one user, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// Delete a key this tool created but never stored: nobody holds its secret.
    DeleteOrphan { key: String },
    /// Delete an inactive key past the delete age.
    Delete { key: String, age_days: i64 },
    /// Create a key, store it in the user's secret, prove it works.
    Create { replaces: String, age_days: i64 },
    /// Prove a stored key works (it was stored but the proof did not finish).
    Verify { key: String },
    /// Deactivate an old key: a newer key is active, stored and proven.
    Deactivate {
        key: String,
        age_days: i64,
        successor: String,
    },
}

/// The verdict for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub account: String,
    pub user: String,
    pub arn: String,
    pub steps: Vec<Step>,
    /// Why nothing (more) is done: exempt, blocked, or nothing due (with the next date).
    pub note: String,
    pub exempt: bool,
    /// Nothing can be done safely and a person must look (two keys, neither removable).
    pub blocked: bool,
}

const DAY: i64 = 86_400;

pub(crate) fn age_days(now: i64, created: i64) -> i64 {
    (now - created).div_euclid(DAY)
}

pub(crate) fn date(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// The plan for one user at `now` (seconds since the epoch).
pub fn plan(user: &User, lc: &Lifecycle, now: i64) -> Plan {
    let mut p = Plan {
        account: user.account.clone(),
        user: user.name.clone(),
        arn: user.arn.clone(),
        steps: Vec::new(),
        note: String::new(),
        exempt: false,
        blocked: false,
    };
    if user.groups.contains(&lc.exempt_group) {
        p.exempt = true;
        p.note = format!("exempt: member of {}", lc.exempt_group);
        return p;
    }
    if let Some(tag) = &lc.exempt_tag {
        if user.tags.iter().any(|(k, _)| k == tag) {
            p.exempt = true;
            p.note = format!("exempt: tagged {tag}");
            return p;
        }
    }
    // Keys as they will be once earlier steps have run.
    let mut keys: Vec<Key> = user.keys.clone();
    if let Some(orphan) = &user.orphan {
        if keys.iter().any(|k| k.id == *orphan) && user.stored_key.as_deref() != Some(orphan) {
            p.steps.push(Step::DeleteOrphan {
                key: orphan.clone(),
            });
            keys.retain(|k| k.id != *orphan);
        }
    }
    // Oldest first; keys made in the same second (IAM's dates have no finer grain) are
    // ordered with the one in the secret last, since it is the one this tool made.
    keys.sort_by_key(|k| (k.created, user.stored_key.as_deref() == Some(k.id.as_str())));
    // Inactive keys past the delete age go; deleting an inactive key cannot lock anyone out.
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    let delete_grace = lc.delete_after_days - lc.deactivate_after_days;
    for k in keys {
        let age = age_days(now, k.created);
        let off_since = user.deactivated.get(&k.id).copied();
        let off_long_enough = off_since.is_none_or(|t| age_days(now, t) >= delete_grace);
        if k.status == KeyStatus::Inactive && age >= lc.delete_after_days && !off_long_enough {
            notes.push(format!(
                "{} was deactivated on {}; it is deleted on {}",
                k.id,
                date(off_since.unwrap_or(now)),
                date(off_since.unwrap_or(now) + delete_grace * DAY)
            ));
            kept.push(k);
        } else if k.status == KeyStatus::Inactive && age >= lc.delete_after_days {
            p.steps.push(Step::Delete {
                key: k.id.clone(),
                age_days: age,
            });
        } else {
            kept.push(k);
        }
    }
    let keys = kept;
    let active: Vec<&Key> = keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .collect();
    let newest = active.last().copied();
    // The successor: the newest active key, held in the secret and proven to work.
    let successor_ready = |old: &Key| -> Option<&Key> {
        newest.filter(|n| {
            n.id != old.id
                && n.created >= old.created
                && user.stored_key.as_deref() == Some(n.id.as_str())
                && user.verified.contains(&n.id)
        })
    };
    let switch_grace = lc.deactivate_after_days - lc.create_after_days;
    // A stored but unproven newest key: prove it before anything else depends on it.
    if let Some(n) = newest {
        if user.stored_key.as_deref() == Some(n.id.as_str()) && !user.verified.contains(&n.id) {
            p.steps.push(Step::Verify { key: n.id.clone() });
        }
    }
    for old in &active {
        let age = age_days(now, old.created);
        if Some(old.id.as_str()) == newest.map(|n| n.id.as_str()) {
            continue;
        }
        if age < lc.deactivate_after_days {
            if let Some(n) = successor_ready(old) {
                let on = (old.created + lc.deactivate_after_days * DAY)
                    .max(n.created + switch_grace * DAY);
                notes.push(format!(
                    "{} stays active until {}, then {} replaces it",
                    old.id,
                    date(on),
                    n.id
                ));
            }
        } else {
            match successor_ready(old) {
                // The workload still signs with the old key: switching it off would stop it.
                Some(n)
                    if !lc.deactivate_in_use && old.last_used.is_some_and(|u| u > n.created) =>
                {
                    p.blocked = true;
                    notes.push(format!(
                        "{} is {age} days old but was used on {}, after {} was made: the workload has not switched to the new key; not deactivated (--deactivate-in-use overrides)",
                        old.id,
                        date(old.last_used.unwrap_or_default()),
                        n.id
                    ));
                }
                Some(n) if age_days(now, n.created) < switch_grace => notes.push(format!(
                    "{} is {age} days old; its successor {} was made on {}, so it is deactivated on {}",
                    old.id,
                    n.id,
                    date(n.created),
                    date(n.created + switch_grace * DAY)
                )),
                Some(n) => p.steps.push(Step::Deactivate {
                    key: old.id.clone(),
                    age_days: age,
                    successor: n.id.clone(),
                }),
                None => notes.push(format!(
                    "{} is {age} days old but the newer key {} is not stored in the secret and proven yet; not deactivated",
                    old.id,
                    newest.map(|n| n.id.as_str()).unwrap_or("-")
                )),
            }
        }
    }
    // A new key is due when the newest active key is old enough.
    if let Some(n) = newest {
        let age = age_days(now, n.created);
        if age >= lc.create_after_days {
            if keys.len() < 2 {
                p.steps.push(Step::Create {
                    replaces: n.id.clone(),
                    age_days: age,
                });
            } else if let Some(off) = keys.iter().find(|k| {
                k.status == KeyStatus::Inactive
                    || p.steps
                        .iter()
                        .any(|s| matches!(s, Step::Deactivate { key, .. } if *key == k.id))
            }) {
                // Waiting for the inactive key's delete date is the lifecycle, not a problem.
                notes.push(format!(
                    "{} is {age} days old; a new key follows once {} is deleted",
                    n.id, off.id
                ));
            } else {
                p.blocked = true;
                notes.push(format!(
                    "{} is {age} days old, but the user already has two active keys and neither may be removed yet",
                    n.id
                ));
            }
        } else if p.steps.is_empty() {
            notes.push(format!(
                "{} is {age} days old; a new key is due on {}",
                n.id,
                date(n.created + lc.create_after_days * DAY)
            ));
        }
    } else if p.steps.is_empty() {
        notes.push("no active access key".into());
    }
    // The inactive key still inside the lifecycle: say when it goes.
    for k in keys.iter().filter(|k| {
        k.status == KeyStatus::Inactive && age_days(now, k.created) < lc.delete_after_days
    }) {
        let by_age = k.created + lc.delete_after_days * DAY;
        let by_grace = user
            .deactivated
            .get(&k.id)
            .map_or(by_age, |t| t + delete_grace * DAY);
        notes.push(format!(
            "{} is inactive; it is deleted on {}",
            k.id,
            date(by_age.max(by_grace))
        ));
    }
    p.note = notes.join("; ");
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_392_000; // 2026-11-23T00:00:00Z

    fn key(id: &str, age: i64, status: KeyStatus) -> Key {
        Key {
            id: id.into(),
            status,
            created: NOW - age * DAY,
            last_used: None,
        }
    }

    fn user(keys: Vec<Key>) -> User {
        User {
            account: "123456789012".into(),
            name: "app".into(),
            arn: "arn:aws:iam::123456789012:user/app".into(),
            groups: vec![],
            tags: vec![],
            keys,
            stored_key: None,
            verified: BTreeSet::new(),
            orphan: None,
            deactivated: BTreeMap::new(),
        }
    }

    fn steps(u: &User) -> Vec<Step> {
        plan(u, &Lifecycle::default(), NOW).steps
    }

    #[test]
    fn a_young_key_needs_nothing_and_the_date_is_given() {
        let p = plan(
            &user(vec![key("AKIA1", 30, KeyStatus::Active)]),
            &Lifecycle::default(),
            NOW,
        );
        assert!(p.steps.is_empty());
        assert!(p.note.contains("2027-01-22"), "{}", p.note);
    }

    #[test]
    fn at_ninety_days_a_new_key_is_created() {
        assert_eq!(
            steps(&user(vec![key("AKIA1", 90, KeyStatus::Active)])),
            vec![Step::Create {
                replaces: "AKIA1".into(),
                age_days: 90
            }]
        );
    }

    #[test]
    fn the_old_key_is_deactivated_only_behind_a_stored_proven_successor() {
        let mut u = user(vec![
            key("OLD", 100, KeyStatus::Active),
            key("NEW", 10, KeyStatus::Active),
        ]);
        assert!(
            steps(&u).is_empty(),
            "not stored, not proven: keep the old key"
        );
        u.stored_key = Some("NEW".into());
        assert_eq!(steps(&u), vec![Step::Verify { key: "NEW".into() }]);
        u.verified.insert("NEW".into());
        assert_eq!(
            steps(&u),
            vec![Step::Deactivate {
                key: "OLD".into(),
                age_days: 100,
                successor: "NEW".into()
            }]
        );
    }

    #[test]
    fn delete_only_inactive_keys_past_the_age() {
        let u = user(vec![
            key("OLD", 109, KeyStatus::Inactive),
            key("NEW", 19, KeyStatus::Active),
        ]);
        assert!(steps(&u).is_empty());
        let u = user(vec![
            key("OLD", 110, KeyStatus::Inactive),
            key("NEW", 20, KeyStatus::Active),
        ]);
        assert_eq!(
            steps(&u),
            vec![Step::Delete {
                key: "OLD".into(),
                age_days: 110
            }]
        );
        // An active key is never deleted, however old.
        let u = user(vec![key("ANCIENT", 900, KeyStatus::Active)]);
        assert!(!steps(&u).iter().any(|s| matches!(s, Step::Delete { .. })));
    }

    #[test]
    fn a_successor_gets_the_switch_time_before_the_old_key_goes() {
        let mut u = user(vec![
            key("OLD", 300, KeyStatus::Active),
            key("NEW", 3, KeyStatus::Active),
        ]);
        u.stored_key = Some("NEW".into());
        u.verified.insert("NEW".into());
        let p = plan(&u, &Lifecycle::default(), NOW);
        assert!(p.steps.is_empty(), "{p:?}");
        assert!(p.note.contains("deactivated on 2026-11-30"), "{}", p.note);
    }

    #[test]
    fn a_key_deactivated_late_stays_inactive_for_the_grace_time() {
        let mut u = user(vec![
            key("OLD", 300, KeyStatus::Inactive),
            key("NEW", 30, KeyStatus::Active),
        ]);
        u.deactivated.insert("OLD".into(), NOW - 4 * DAY);
        let p = plan(&u, &Lifecycle::default(), NOW);
        assert!(p.steps.is_empty(), "{p:?}");
        assert!(p.note.contains("deleted on 2026-11-29"), "{}", p.note);
        u.deactivated.insert("OLD".into(), NOW - 10 * DAY);
        assert_eq!(
            steps(&u),
            vec![Step::Delete {
                key: "OLD".into(),
                age_days: 300
            }]
        );
    }

    #[test]
    fn a_key_still_in_use_after_its_successor_was_made_stays_active() {
        let mut u = user(vec![
            key("OLD", 104, KeyStatus::Active),
            key("NEW", 14, KeyStatus::Active),
        ]);
        u.stored_key = Some("NEW".into());
        u.verified.insert("NEW".into());
        u.keys[0].last_used = Some(NOW - DAY);
        let p = plan(&u, &Lifecycle::default(), NOW);
        assert!(p.steps.is_empty() && p.blocked, "{p:?}");
        assert!(p.note.contains("has not switched"), "{}", p.note);
        // Used before the successor existed: that is expected, and no obstacle.
        u.keys[0].last_used = Some(NOW - 20 * DAY);
        assert!(matches!(steps(&u).as_slice(), [Step::Deactivate { .. }]));
        // And the operator may insist.
        u.keys[0].last_used = Some(NOW - DAY);
        let lc = Lifecycle {
            deactivate_in_use: true,
            ..Lifecycle::default()
        };
        assert!(matches!(
            plan(&u, &lc, NOW).steps.as_slice(),
            [Step::Deactivate { .. }]
        ));
    }

    #[test]
    fn deactivating_the_old_key_is_not_a_block() {
        let mut u = user(vec![
            key("OLD", 104, KeyStatus::Active),
            key("NEW", 95, KeyStatus::Active),
        ]);
        u.stored_key = Some("NEW".into());
        u.verified.insert("NEW".into());
        let p = plan(&u, &Lifecycle::default(), NOW);
        assert!(!p.blocked, "{p:?}");
        assert!(matches!(p.steps.as_slice(), [Step::Deactivate { .. }]));
        assert!(p.note.contains("once OLD is deleted"), "{}", p.note);
    }

    #[test]
    fn two_keys_neither_removable_blocks() {
        let p = plan(
            &user(vec![
                key("A", 200, KeyStatus::Active),
                key("B", 95, KeyStatus::Active),
            ]),
            &Lifecycle::default(),
            NOW,
        );
        assert!(p.blocked && p.steps.is_empty(), "{p:?}");
    }

    #[test]
    fn an_inactive_key_past_delete_makes_room_for_the_new_one() {
        let u = user(vec![
            key("DEAD", 120, KeyStatus::Inactive),
            key("CUR", 95, KeyStatus::Active),
        ]);
        assert_eq!(
            steps(&u),
            vec![
                Step::Delete {
                    key: "DEAD".into(),
                    age_days: 120
                },
                Step::Create {
                    replaces: "CUR".into(),
                    age_days: 95
                }
            ]
        );
    }

    #[test]
    fn an_orphan_from_a_crash_is_removed_first() {
        let mut u = user(vec![
            key("CUR", 95, KeyStatus::Active),
            key("LOST", 0, KeyStatus::Active),
        ]);
        u.orphan = Some("LOST".into());
        assert_eq!(
            steps(&u),
            vec![
                Step::DeleteOrphan { key: "LOST".into() },
                Step::Create {
                    replaces: "CUR".into(),
                    age_days: 95
                }
            ]
        );
    }

    #[test]
    fn exemptions() {
        let mut u = user(vec![key("A", 300, KeyStatus::Active)]);
        u.groups = vec!["IAMKeyRotationExemptionGroup".into()];
        let p = plan(&u, &Lifecycle::default(), NOW);
        assert!(p.exempt && p.steps.is_empty());
        let mut u = user(vec![key("A", 300, KeyStatus::Active)]);
        u.tags = vec![("keyward:no-rotate".into(), "legacy".into())];
        let lc = Lifecycle {
            exempt_tag: Some("keyward:no-rotate".into()),
            ..Lifecycle::default()
        };
        assert!(plan(&u, &lc, NOW).exempt);
    }

    #[test]
    fn lifecycle_must_grow() {
        assert!(Lifecycle::default().validate().is_ok());
        let bad = Lifecycle {
            deactivate_after_days: 90,
            ..Lifecycle::default()
        };
        assert!(bad.validate().is_err());
    }
}
