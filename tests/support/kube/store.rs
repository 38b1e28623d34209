//! The double's etcd: objects by kind, namespace and name, one
//! resourceVersion counter for all of them, and the history of changes a
//! watch or a consistent list reads from.
//!
//! The history is a window (`KubeOptions::history_window` changes, and
//! [`Store::compact`] empties it, as an etcd compaction would): a watch or
//! an exact list from a resourceVersion older than the window is answered
//! `410 Expired`, the way a real server answers one older than its watch
//! cache, so clients' relist paths can be tested.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value as Json, json};

/// Where an object lives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// The kind's `group/plural` (`flink.apache.org/flinkdeployments`, `/configmaps`).
    pub resource: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

/// What a change did, as a watch event names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// `ADDED`
    Added,
    /// `MODIFIED`
    Modified,
    /// `DELETED`
    Deleted,
}

impl Change {
    /// The watch event type.
    pub fn name(self) -> &'static str {
        match self {
            Change::Added => "ADDED",
            Change::Modified => "MODIFIED",
            Change::Deleted => "DELETED",
        }
    }
}

/// One change in the history.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The resourceVersion the change produced.
    pub rv: u64,
    /// Added, modified or deleted.
    pub change: Change,
    /// The object's key.
    pub key: Key,
    /// The object after the change (its last state for a deletion).
    pub object: Json,
    /// The object before the change, if it existed.
    pub previous: Option<Json>,
}

/// Objects, counter and history.
pub struct Store {
    rv: u64,
    objects: BTreeMap<Key, Json>,
    history: VecDeque<Entry>,
    /// Every change after this resourceVersion is in `history`.
    oldest: u64,
    window: usize,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Store {
    /// An empty store keeping the last `window` changes; `changed` is told
    /// each new resourceVersion (watches wait on it).
    pub fn new(window: usize, changed: tokio::sync::watch::Sender<u64>) -> Store {
        Store {
            rv: 1,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            oldest: 1,
            window: window.max(1),
            changed,
        }
    }

    /// The current resourceVersion.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// The oldest resourceVersion a watch or exact list may start from.
    pub fn oldest(&self) -> u64 {
        self.oldest
    }

    /// An object.
    pub fn get(&self, key: &Key) -> Option<&Json> {
        self.objects.get(key)
    }

    /// The objects of `resource` (in `namespace`, or all), in key order.
    pub fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<(Key, Json)> {
        self.objects
            .iter()
            .filter(|(k, _)| k.resource == resource && namespace.is_none_or(|n| k.namespace == n))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The objects of `resource` as they were at resourceVersion `at`
    /// (rebuilt by undoing the later changes), or `None` when `at` is older
    /// than the history.
    pub fn list_at(
        &self,
        resource: &str,
        namespace: Option<&str>,
        at: u64,
    ) -> Option<Vec<(Key, Json)>> {
        if at < self.oldest {
            return None;
        }
        let mut objects: BTreeMap<Key, Json> = self.list(resource, namespace).into_iter().collect();
        for entry in self.history.iter().rev().take_while(|e| e.rv > at) {
            if entry.key.resource != resource || namespace.is_some_and(|n| entry.key.namespace != n)
            {
                continue;
            }
            match &entry.previous {
                Some(previous) => objects.insert(entry.key.clone(), previous.clone()),
                None => objects.remove(&entry.key),
            };
        }
        Some(objects.into_iter().collect())
    }

    /// The changes after resourceVersion `after`, or `None` when some are
    /// no longer kept.
    pub fn changes_after(&self, after: u64) -> Option<Vec<Entry>> {
        if after < self.oldest {
            return None;
        }
        Some(
            self.history
                .iter()
                .filter(|e| e.rv > after)
                .cloned()
                .collect(),
        )
    }

    /// Stores `object` under `key` with a new resourceVersion (written into
    /// its metadata), recording ADDED or MODIFIED; returns it as stored.
    pub fn put(&mut self, key: Key, mut object: Json) -> Json {
        let rv = self.next_rv();
        object["metadata"]["resourceVersion"] = json!(rv.to_string());
        let previous = self.objects.insert(key.clone(), object.clone());
        let change = if previous.is_some() {
            Change::Modified
        } else {
            Change::Added
        };
        self.record(Entry {
            rv,
            change,
            key,
            object: object.clone(),
            previous,
        });
        object
    }

    /// Removes the object under `key`, recording DELETED with its last state
    /// at a new resourceVersion; returns that state.
    pub fn remove(&mut self, key: &Key) -> Option<Json> {
        let previous = self.objects.remove(key)?;
        let rv = self.next_rv();
        let mut last = previous.clone();
        last["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.record(Entry {
            rv,
            change: Change::Deleted,
            key: key.clone(),
            object: last.clone(),
            previous: Some(previous),
        });
        Some(last)
    }

    /// Forgets the whole history, as an etcd compaction at the current
    /// revision: watches and exact lists must start from now on.
    pub fn compact(&mut self) {
        self.history.clear();
        self.oldest = self.rv;
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn record(&mut self, entry: Entry) {
        let rv = entry.rv;
        self.history.push_back(entry);
        while self.history.len() > self.window {
            if let Some(dropped) = self.history.pop_front() {
                self.oldest = dropped.rv;
            }
        }
        self.changed.send_replace(rv);
    }
}
