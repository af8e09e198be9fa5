//! The state file: what `keyward rotate apply` has done and what it was about to do.
//!
//! AWS shows a new key's secret once, in the `CreateAccessKey` answer. A run that dies between
//! that answer and the write to Secrets Manager leaves a key nobody holds; a run that dies
//! after the write but before the proof leaves a key nobody has tested. IAM alone cannot tell
//! these apart from a key a person made, so every step is written here before and after it
//! runs, and the next run reads it back:
//! - `creating` is written *before* `CreateAccessKey` with the keys the user had, and the new
//!   key's id right after: a key that is new since then and not in the secret is an orphan;
//! - `verified` keys were proven to work (a call signed with them succeeded);
//! - `deactivated` says when a key was switched off, so that it stays off for the grace time.
//!
//! The file is replaced atomically (write, fsync, rename) and held under an exclusive lock for
//! the whole run, so two runs cannot rotate the same user at once. The lock is the kernel's
//! (`flock`), so a crashed run leaves no stale lock behind.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a keyward rotate state file: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: another keyward rotate run holds this state file; wait for it to finish")]
    Busy { path: PathBuf },
    #[error("{path}: opened read-only (a plan never writes the state file)")]
    ReadOnly { path: PathBuf },
}

/// A `CreateAccessKey` under way for one user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Creating {
    /// Seconds since the epoch.
    pub started: i64,
    /// The user's key ids before the call.
    pub keys_before: Vec<String>,
    /// The new key's id, once the call answered.
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating: Option<Creating>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub verified: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deactivated: BTreeMap<String, i64>,
}

/// One thing done to an account, kept as the run's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Seconds since the epoch (the real clock, also under `--as-of`).
    pub time: i64,
    pub account: String,
    pub user: String,
    pub action: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// Keyed by [`user_key`].
    #[serde(default)]
    pub users: BTreeMap<String, UserState>,
    #[serde(default)]
    pub events: Vec<Event>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: VERSION,
            users: BTreeMap::new(),
            events: Vec::new(),
        }
    }
}

/// The journal's key for a user: account and user name.
pub fn user_key(account: &str, user: &str) -> String {
    format!("{account}/{user}")
}

/// What an unfinished `creating` entry means, given the user's keys now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfinished {
    /// Nothing was under way, or the create finished and its key is in the secret.
    Settled,
    /// The create never happened: forget it.
    NotCreated,
    /// This key was created and never stored: nobody holds it.
    Orphan(String),
    /// Several keys appeared since; not knowing which is ours, touch none.
    Unclear(Vec<String>),
}

/// Reads an unfinished create against the user's keys now and the key the secret holds.
pub fn unfinished(state: &UserState, keys_now: &[String], stored: Option<&str>) -> Unfinished {
    let Some(c) = &state.creating else {
        return Unfinished::Settled;
    };
    let new: Vec<&String> = keys_now
        .iter()
        .filter(|k| !c.keys_before.contains(k))
        .collect();
    if new.iter().any(|k| Some(k.as_str()) == stored) {
        return Unfinished::Settled;
    }
    if let Some(k) = &c.key {
        return if keys_now.contains(k) {
            Unfinished::Orphan(k.clone())
        } else {
            Unfinished::NotCreated
        };
    }
    match new.as_slice() {
        [] => Unfinished::NotCreated,
        [one] => Unfinished::Orphan((*one).clone()),
        many => Unfinished::Unclear(many.iter().map(|k| (*k).clone()).collect()),
    }
}

/// The state file, locked for as long as this value lives.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    state: State,
    /// Held (flock) while this value lives; `None` for a read-only journal.
    lock: Option<File>,
}

impl Journal {
    /// Opens (or starts) the state file at `path` and takes its lock.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let lock_path = sibling(path, "lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Busy {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let state = read_state(path)?;
        Ok(Journal {
            path: path.to_path_buf(),
            state,
            lock: Some(lock),
        })
    }

    /// Reads the state file without locking or creating anything, for a plan: a plan changes
    /// nothing, so it may run while an apply holds the lock.
    pub fn read_only(path: &Path) -> Result<Journal, JournalError> {
        Ok(Journal {
            path: path.to_path_buf(),
            state: read_state(path)?,
            lock: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The user's entry (empty if none).
    pub fn user(&self, account: &str, user: &str) -> UserState {
        self.state
            .users
            .get(&user_key(account, user))
            .cloned()
            .unwrap_or_default()
    }

    /// Changes the user's entry and writes the file before returning.
    pub fn update_user(
        &mut self,
        account: &str,
        user: &str,
        change: impl FnOnce(&mut UserState),
        event: Option<Event>,
    ) -> Result<(), JournalError> {
        let key = user_key(account, user);
        let entry = self.state.users.entry(key.clone()).or_default();
        change(entry);
        if *entry == UserState::default() {
            self.state.users.remove(&key);
        }
        self.state.events.extend(event);
        self.save()
    }

    fn save(&self) -> Result<(), JournalError> {
        if self.lock.is_none() {
            return Err(JournalError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let tmp = sibling(&self.path, "tmp");
        let mut bytes = serde_json::to_vec_pretty(&self.state).map_err(|e| io(e.into()))?;
        bytes.push(b'\n');
        let mut f = File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        // The rename is durable only once the directory is synced.
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

fn read_state(path: &Path) -> Result<State, JournalError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let state: State =
                serde_json::from_slice(&bytes).map_err(|e| JournalError::Corrupt {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            if state.version != VERSION {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    reason: format!("version {} (this keyward reads {VERSION})", state.version),
                });
            }
            Ok(state)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(JournalError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(ext);
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creating(before: &[&str], key: Option<&str>) -> UserState {
        UserState {
            creating: Some(Creating {
                started: 0,
                keys_before: before.iter().map(|s| s.to_string()).collect(),
                key: key.map(str::to_string),
            }),
            ..UserState::default()
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reading_an_unfinished_create() {
        // Died before CreateAccessKey answered, and it never ran.
        let s = creating(&["OLD"], None);
        assert_eq!(unfinished(&s, &ids(&["OLD"]), None), Unfinished::NotCreated);
        // Died after the answer, before the journal had the id: the new key is the orphan.
        assert_eq!(
            unfinished(&s, &ids(&["OLD", "NEW"]), None),
            Unfinished::Orphan("NEW".into())
        );
        // Died after the write to the secret: settled.
        assert_eq!(
            unfinished(&s, &ids(&["OLD", "NEW"]), Some("NEW")),
            Unfinished::Settled
        );
        // The journal had the id.
        let s = creating(&["OLD"], Some("NEW"));
        assert_eq!(
            unfinished(&s, &ids(&["OLD", "NEW"]), Some("OLD")),
            Unfinished::Orphan("NEW".into())
        );
        assert_eq!(unfinished(&s, &ids(&["OLD"]), None), Unfinished::NotCreated);
        // Two unknown keys: touch neither.
        let s = creating(&[], None);
        assert!(matches!(
            unfinished(&s, &ids(&["A", "B"]), None),
            Unfinished::Unclear(_)
        ));
    }

    #[test]
    fn the_file_survives_a_reopen_and_is_locked_while_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/rotate.json");
        {
            let mut j = Journal::open(&path).expect("open");
            j.update_user(
                "1",
                "app",
                |u| {
                    u.verified.insert("AKIA1".into());
                },
                None,
            )
            .expect("save");
            assert!(matches!(
                Journal::open(&path),
                Err(JournalError::Busy { .. })
            ));
        }
        let j = Journal::open(&path).expect("reopen");
        assert!(j.user("1", "app").verified.contains("AKIA1"));
        // A plan reads while an apply holds the lock, and cannot write.
        let mut ro = Journal::read_only(&path).expect("read-only");
        assert!(ro.user("1", "app").verified.contains("AKIA1"));
        assert!(matches!(
            ro.update_user("1", "app", |_| {}, None),
            Err(JournalError::ReadOnly { .. })
        ));
        std::fs::write(&path, "{\"version\": 1, \"users\": [").expect("write");
        drop(j);
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::Corrupt { .. })
        ));
    }
}
