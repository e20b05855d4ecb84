//! The id index: references resolved to numbers, one cache miss per lookup.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

use super::{Builder, Label, Location, suggest, with_article};
use crate::model::diag::Diagnostic;
use crate::model::source::Pos;

/// Ids of one namespace, for resolving references with suggestions.
///
/// The table holds only each id's number; the ids themselves are copied
/// side by side into one buffer. At a million references the lookups are
/// random, so what matters is how much memory they touch: a few megabytes
/// here, against the ids' own allocations spread over the whole model.
pub(super) struct Index {
    what: &'static str,
    /// The ids' bytes, one after another; id `i` ends at `ends[i]`.
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// Open addressing with linear probing, at most half full, so that a
    /// lookup usually reads one slot: one cache miss, where a table with
    /// separate control bytes takes two.
    slots: Vec<Slot>,
    mask: usize,
    hasher: FixedState,
}

/// A table slot: the id's number, with its length and first bytes, so that
/// most lookups are decided without reading the id itself.
#[derive(Clone, Copy)]
struct Slot {
    head: u64,
    len: u32,
    index: u32,
}

impl Slot {
    const EMPTY: Slot = Slot {
        head: 0,
        len: 0,
        index: u32::MAX,
    };
}

impl Index {
    /// Indexes distinct ids; id `i` is number `i`.
    pub(super) fn new<'i>(
        what: &'static str,
        ids: impl ExactSizeIterator<Item = &'i str>,
    ) -> Index {
        let size = (2 * ids.len()).max(16).next_power_of_two();
        let mut index = Index {
            what,
            bytes: Vec::new(),
            ends: Vec::with_capacity(ids.len()),
            slots: vec![Slot::EMPTY; size],
            mask: size - 1,
            hasher: FixedState::default(),
        };
        // The ids come from allocations spread over the model and go to
        // slots at random: each is fetched a few turns ahead.
        const AHEAD: usize = 8;
        let ids: Vec<&str> = ids.collect();
        for (i, id) in ids.iter().enumerate() {
            if let Some(next) = ids.get(i + AHEAD).and_then(|id| id.as_bytes().first()) {
                prefetch(next);
            }
            index.bytes.extend_from_slice(id.as_bytes());
            index.ends.push(index.bytes.len() as u32);
        }
        let starts: Vec<usize> = (0..index.ends.len() as u32)
            .map(|i| {
                let id = index.id(i);
                index.slot_of(id, head(id))
            })
            .collect();
        for (i, &start) in starts.iter().enumerate() {
            if let Some(&next) = starts.get(i + AHEAD) {
                prefetch(&index.slots[next]);
            }
            let i = i as u32;
            let id = index.id(i);
            let mut at = start;
            while index.slots[at].index != u32::MAX {
                at = (at + 1) & index.mask;
            }
            index.slots[at] = Slot {
                head: head(id),
                len: id.len() as u32,
                index: i,
            };
        }
        index
    }

    fn id(&self, i: u32) -> &[u8] {
        id_at(&self.bytes, &self.ends, i)
    }

    /// Where a lookup of `id`, whose [`head`] is `first`, starts.
    fn slot_of(&self, id: &[u8], first: u64) -> usize {
        let hash = match id.len() {
            // Short ids are their head and length: one multiplication
            // spreads them, where hashing the bytes costs more than the rest
            // of the lookup.
            0..=8 => {
                let product = u128::from(first ^ id.len() as u64) * 0x9E37_79B9_7F4A_7C15;
                (product as u64) ^ (product >> 64) as u64
            }
            _ => self.hasher.hash_one(id),
        };
        hash as usize & self.mask
    }

    /// Has the slot where a lookup of `name` starts fetched into the cache.
    pub(super) fn prefetch(&self, name: &str) {
        let name = name.as_bytes();
        prefetch(&self.slots[self.slot_of(name, head(name))]);
    }

    pub(super) fn get(&self, name: &str) -> Option<u32> {
        let name = name.as_bytes();
        let (len, first) = (name.len() as u32, head(name));
        let mut at = self.slot_of(name, first);
        loop {
            let slot = self.slots[at];
            if slot.index == u32::MAX {
                return None;
            }
            if slot.len == len
                && slot.head == first
                && (name.len() <= 8 || self.id(slot.index)[8..] == name[8..])
            {
                return Some(slot.index);
            }
            at = (at + 1) & self.mask;
        }
    }

    pub(super) fn resolve(
        &self,
        b: &mut Builder,
        name: &str,
        pos: Pos,
        label: Label,
    ) -> Option<u32> {
        if let Some(i) = self.get(name) {
            return Some(i);
        }
        let location = b.location(pos);
        self.unknown(b, name, location, label);
        None
    }

    pub(super) fn unknown(&self, b: &mut Builder, name: &str, location: Location, label: Label) {
        let mut d = Diagnostic::new(
            "unknown-reference",
            format!("unknown {} \"{name}\"", self.what),
        )
        .at(Some(location))
        .entry(label.to_string());
        // Each id was copied whole from a `str`: its bytes are UTF-8.
        let ids =
            (0..self.ends.len() as u32).map(|i| std::str::from_utf8(self.id(i)).unwrap_or(""));
        if let Some(s) = suggest(name, ids) {
            d.message.push_str(&format!("; did you mean \"{s}\"?"));
            d = d.help(format!(
                "change it to \"{s}\", or declare {} with id \"{name}\"",
                with_article(self.what)
            ));
        } else {
            d = d.help(format!(
                "declare {} with id \"{name}\"",
                with_article(self.what)
            ));
        }
        b.error(d);
    }
}

/// Has the processor fetch `item` into the cache: a hint, with no effect on
/// any result, for memory about to be read at random.
pub(super) fn prefetch<T>(item: &T) {
    let start = (item as *const T).cast::<i8>();
    for offset in (0..size_of::<T>()).step_by(64) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch only hints the cache: it reads nothing the
        // program sees and cannot fault; the address is inside `item`.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset));
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = start.wrapping_add(offset);
    }
}

/// The first eight bytes, zero-padded, as a number.
pub(super) fn head(id: &[u8]) -> u64 {
    match id.first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        // Shorter ids, byte by byte: a copy of a few bytes would be a call.
        None => id
            .iter()
            .enumerate()
            .fold(0, |n, (i, &b)| n | u64::from(b) << (56 - 8 * i)),
    }
}

fn id_at<'a>(bytes: &'a [u8], ends: &[u32], i: u32) -> &'a [u8] {
    let start = match i {
        0 => 0,
        _ => ends[i as usize - 1] as usize,
    };
    &bytes[start..ends[i as usize] as usize]
}
