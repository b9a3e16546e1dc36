//! Where the development provider keeps its state between runs, so that a
//! restart (every save under `cargo leptos watch` is one) signs nobody out
//! and a session ended everywhere stays ended.
//!
//! One JSON file, replaced atomically: the new state goes to a temporary
//! file beside it, which is then renamed over the old one, so a reader or a
//! crash sees the old file or the new one, never half of one. No fsync: a
//! killed process loses nothing the kernel already has, and surviving a
//! power cut is not worth a disk flush per sign-in for a development tool.

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::{Condvar, Mutex},
    time::Duration,
};

use serde::{Deserialize, Serialize};

use std::sync::{Arc, Weak};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};

use super::{
    now_ms,
    store::{Durable, Store},
    DevProvider, Inner,
};

/// Bumped when the file's shape changes; another format is not read.
pub const FORMAT: u32 = 1;

/// The writer saves at once after a change, then waits this long before the
/// next save, so bursts of changes cost one write. A killed server loses at
/// most this much.
pub const WRITE_INTERVAL: Duration = Duration::from_millis(50);

#[derive(Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// Signs the provider's browser cookie (base64url).
    pub cookie_key: String,
    #[serde(flatten)]
    pub durable: Durable,
}

#[derive(Debug)]
pub enum Loaded {
    /// No file yet.
    Fresh,
    Restored(Snapshot),
    /// The file was there but unusable; it was moved aside, not deleted.
    Unreadable {
        why: String,
        moved_to: PathBuf,
    },
}

pub fn load(path: &Path) -> Loaded {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Fresh,
        Err(e) => return set_aside(path, format!("cannot read it: {e}")),
    };
    match serde_json::from_slice::<Snapshot>(&bytes) {
        Ok(s) if s.format == FORMAT => Loaded::Restored(s),
        Ok(s) => set_aside(path, format!("format {} is not {FORMAT}", s.format)),
        Err(e) => set_aside(path, format!("not valid state JSON: {e}")),
    }
}

fn set_aside(path: &Path, why: String) -> Loaded {
    let moved_to = sibling(path, "unreadable");
    match std::fs::rename(path, &moved_to) {
        Ok(()) => Loaded::Unreadable { why, moved_to },
        Err(e) => Loaded::Unreadable {
            why: format!("{why}; moving it aside failed too ({e})"),
            moved_to: path.to_path_buf(),
        },
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Writes the snapshot atomically, readable by this user only (the file
/// holds the key that signs the provider's session cookie).
pub fn save(path: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = sibling(path, &format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(&serde_json::to_vec(snapshot).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Wakes the writer thread when there is something to save.
#[derive(Default)]
pub struct Signal {
    dirty: Mutex<bool>,
    cv: Condvar,
}

impl Signal {
    pub fn notify(&self) {
        *self.dirty.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_one();
    }

    /// Waits up to `timeout` for a change; true (and reset) if there was one.
    pub fn wait(&self, timeout: Duration) -> bool {
        let guard = self.dirty.lock().unwrap_or_else(|e| e.into_inner());
        let (mut dirty, _) = self
            .cv
            .wait_timeout_while(guard, timeout, |dirty| !*dirty)
            .unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *dirty)
    }
}

/// Loads the state file into the store; the keys it held, if any.
pub(super) fn restore(path: &std::path::Path, store: &mut Store) -> Option<[u8; 32]> {
    let shown = path.display();
    match load(path) {
        Loaded::Fresh => {
            tracing::info!("development CentralAuth: keeping its sessions in {shown}");
            None
        }
        Loaded::Unreadable { why, moved_to } => {
            tracing::warn!(
                "development CentralAuth: the state file {shown} is unusable ({why}); kept as {}; starting with no sessions",
                moved_to.display()
            );
            None
        }
        Loaded::Restored(snapshot) => {
            let key = B64
                .decode(&snapshot.cookie_key)
                .ok()
                .and_then(|k| <[u8; 32]>::try_from(k).ok());
            let Some(key) = key else {
                tracing::warn!("development CentralAuth: the keys in {shown} are malformed; starting with no sessions");
                return None;
            };
            store.restore(snapshot.durable, now_ms());
            tracing::info!(
                "development CentralAuth: {} sessions restored from {shown}",
                store.counts().0
            );
            Some(key)
        }
    }
}

/// Saves shortly after each change, on a thread of its own so no request
/// waits for the disk. Ends when the provider is dropped.
pub(super) fn spawn_writer(inner: Weak<Inner>, signal: Arc<Signal>) {
    let spawned = std::thread::Builder::new()
        .name("dev-centralauth-state".into())
        .spawn(move || {
            let mut last_error: Option<String> = None;
            loop {
                let changed = signal.wait(Duration::from_secs(1));
                let Some(inner) = inner.upgrade() else { return };
                if changed {
                    let provider = DevProvider { inner };
                    match provider.save_now() {
                        Ok(()) => last_error = None,
                        Err(e) => {
                            let e = e.to_string();
                            // Once per distinct failure, not once per sign-in.
                            if last_error.as_ref() != Some(&e) {
                                tracing::warn!(
                                    "development CentralAuth: cannot save its state to {}: {e}",
                                    provider
                                        .config()
                                        .state_file
                                        .as_deref()
                                        .unwrap_or(std::path::Path::new(""))
                                        .display()
                                );
                                last_error = Some(e);
                            }
                        }
                    }
                    drop(provider);
                    std::thread::sleep(WRITE_INTERVAL);
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(
            "development CentralAuth: no state writer ({e}); sessions live in memory only"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev_centralauth::store::Session;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dev-centralauth-persist-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            format: FORMAT,
            cookie_key: "k".into(),
            durable: Durable {
                sessions: vec![Session {
                    id: "id".into(),
                    email: "ada@example.com".into(),
                    created: 1,
                    expires: 2,
                    affirmed: None,
                }],
                codes: vec![],
            },
        }
    }

    #[test]
    fn a_saved_snapshot_loads_back_and_leaves_no_temporary_file() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("nested").join("state.json");
        save(&path, &snapshot()).unwrap();
        let Loaded::Restored(back) = load(&path) else {
            panic!("not restored")
        };
        assert_eq!(back.durable, snapshot().durable);
        assert_eq!(back.cookie_key, "k");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_file_is_a_fresh_start() {
        let dir = temp_dir("missing");
        assert!(matches!(load(&dir.join("none.json")), Loaded::Fresh));
    }

    #[test]
    fn an_unreadable_file_is_moved_aside_not_lost() {
        let dir = temp_dir("garbage");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        std::fs::write(&path, b"{ half a file").unwrap();
        let Loaded::Unreadable { why, moved_to } = load(&path) else {
            panic!("garbage was accepted")
        };
        assert!(why.contains("not valid state JSON"), "{why}");
        assert_eq!(std::fs::read(&moved_to).unwrap(), b"{ half a file");
        assert!(!path.exists());

        let mut other = serde_json::to_value(snapshot()).unwrap();
        other["format"] = 99.into();
        std::fs::write(&path, other.to_string()).unwrap();
        assert!(matches!(load(&path), Loaded::Unreadable { why, .. } if why.contains("format 99")));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_signal_reports_a_change_once() {
        let signal = Signal::default();
        assert!(!signal.wait(Duration::from_millis(1)));
        signal.notify();
        assert!(signal.wait(Duration::from_millis(1)));
        assert!(!signal.wait(Duration::from_millis(1)));
    }
}
