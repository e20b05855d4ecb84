//! The documented limits on model input (`docs/limits.md`). Beyond them a
//! model is refused with a diagnostic that names the limit, instead of
//! exhausting memory or producing outputs nobody can read.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::diag::{Diagnostic, Location};

/// The most bytes of model files read for one model, all files together.
/// Loading takes memory in proportion to the text (see docs/limits.md); the
/// largest model the scale targets name (1,000,000 rows in CSV) is about 60 MiB.
pub const MAX_MODEL_BYTES: u64 = 256 * 1024 * 1024;

/// The longest id, in bytes. Ids are repeated in every witness path that
/// passes through them, so their length multiplies the size of every output.
pub const MAX_ID_BYTES: usize = 1024;

/// The most items in one list (`holds`, `categories`, `controls`, ...).
pub const MAX_LIST_ITEMS: usize = 10_000;

pub use super::MAX_CATEGORIES;

/// A size as people read it, with the exact count for comparing with the limit.
fn size(bytes: u64) -> String {
    format!(
        "{bytes} bytes ({:.1} MiB)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

fn too_large(path: &Path, found: String) -> Diagnostic {
    Diagnostic::new(
        "too-large",
        format!(
            "{} is {found}; a model may hold at most {} of files",
            path.display(),
            size(MAX_MODEL_BYTES)
        ),
    )
    .at(Some(Location {
        file: Arc::from(path),
        line: 1,
        column: None,
    }))
    .help("split the model into a smaller one per service, or check that this is the right file")
}

/// Reads a model file, refusing one beyond [`MAX_MODEL_BYTES`] before its
/// text is in memory. The size is checked while reading, not only from the
/// file's metadata, which a growing file or a special file can belie.
pub fn read_model_file(path: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
    let io = |e: std::io::Error| {
        Box::new(
            Diagnostic::new("io", format!("cannot read {}: {e}", path.display()))
                .help("check that the file exists and is readable"),
        )
    };
    let mut file = File::open(path).map_err(io)?;
    let announced = file.metadata().map_err(io)?.len();
    if announced > MAX_MODEL_BYTES {
        return Err(Box::new(too_large(path, size(announced))));
    }
    let mut bytes = Vec::with_capacity(announced as usize);
    file.by_ref()
        .take(MAX_MODEL_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        let found = format!("more than {}", size(MAX_MODEL_BYTES));
        return Err(Box::new(too_large(path, found)));
    }
    Ok(bytes)
}

/// Refuses a model directory whose files together exceed [`MAX_MODEL_BYTES`],
/// before any of them is read.
pub fn check_model_size<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = &'a Path>,
) -> Option<Diagnostic> {
    let sizes: Vec<(u64, &Path)> = files
        .into_iter()
        .filter_map(|p| std::fs::metadata(p).ok().map(|m| (m.len(), p)))
        .collect();
    let total: u64 = sizes.iter().map(|(size, _)| size).sum();
    let &(largest, largest_path) = sizes.iter().max()?;
    (total > MAX_MODEL_BYTES).then(|| {
        Diagnostic::new(
            "too-large",
            format!(
                "the model files in {} hold {} (this one {}); a model may hold at most {}",
                dir.display(),
                size(total),
                size(largest),
                size(MAX_MODEL_BYTES)
            ),
        )
        .at(Some(Location {
            file: Arc::from(largest_path),
            line: 1,
            column: None,
        }))
        .help("split the model into a smaller one per service, or move files that are not part of the model out of the directory")
    })
}

/// Characters an id may not contain: control characters (they would steer
/// a terminal or break a line in an output) and the Unicode bidirectional
/// overrides and isolates (they make an id display as a different one).
fn forbidden_in_id(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether every byte is printable ASCII, `' '..='~'`.
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // A word's bytes are all in range when none is below 0x20 (the borrow
    // test, exact while no byte has its high bit set) and none is 0x7f or
    // above (adding one sets the high bit; a byte that carries had it set).
    let printable = |w: u64| {
        let below = w.wrapping_sub(0x20 * ONES) & !w;
        let above = w.wrapping_add(ONES) | w;
        (below | above) & HIGH == 0
    };
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().unwrap_or_default());
    let half = |w: &[u8]| u64::from(u32::from_ne_bytes(w.try_into().unwrap_or_default()));
    match bytes.len() {
        // The last bytes are read in place, overlapping what is already
        // decided: copied into a padded word, they would cost a call and a
        // stalled load, more than the rest of the test.
        0..4 => bytes.iter().all(|b| matches!(b, b' '..=b'~')),
        n @ 4..8 => printable(half(&bytes[..4]) | half(&bytes[n - 4..]) << 32),
        n => bytes.chunks_exact(8).all(|w| printable(word(w))) && printable(word(&bytes[n - 8..])),
    }
}

/// What is wrong with an id, as a message and a fix, or `None` when it is fine.
pub fn id_problem(key: &str, id: &str) -> Option<(String, String)> {
    // Nearly every id is short printable ASCII: decided eight bytes at a time.
    if id.len() <= MAX_ID_BYTES && printable_ascii(id.as_bytes()) {
        return None;
    }
    if id.len() > MAX_ID_BYTES {
        return Some((
            format!(
                "`{key}` is {} bytes long; an id may be at most {MAX_ID_BYTES}",
                id.len()
            ),
            "shorten it: every path and table that names the entry repeats its id".into(),
        ));
    }
    let (at, ch) = id
        .chars()
        .enumerate()
        .find(|&(_, ch)| forbidden_in_id(ch))?;
    Some((
        format!(
            "`{key}` contains the invisible character U+{:04X} at character {}",
            ch as u32,
            at + 1
        ),
        "remove it: ids are names that appear in paths, tables and file names, and may not contain control or text-direction characters".into(),
    ))
}

/// The diagnostic for a list beyond [`MAX_LIST_ITEMS`], or `None`.
pub fn list_problem(key: &str, len: usize) -> Option<(String, String)> {
    (len > MAX_LIST_ITEMS).then(|| {
        (
            format!("`{key}` lists {len} items; a list may hold at most {MAX_LIST_ITEMS}"),
            "name a parent category instead of each of its children, or split the entry".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Eight bytes at a time, as one at a time would decide.
        #[test]
        fn printable_ascii_is_decided_as_byte_by_byte(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                0x1eu8..0x22, 0x7cu8..0x82, 0xfdu8..=0xff, proptest::num::u8::ANY,
            ], 0..40),
        ) {
            proptest::prop_assert_eq!(
                printable_ascii(&bytes),
                bytes.iter().all(|b| matches!(b, b' '..=b'~'))
            );
        }
    }

    #[test]
    fn printable_ascii_at_the_edges() {
        assert!(printable_ascii(b" ~abcdefgh ~"));
        for bad in [0x1f, 0x7f, 0x80, 0xff, 0x00] {
            for at in [0, 7, 8, 11] {
                let mut bytes = *b"abcdefghijkl";
                bytes[at] = bad;
                assert!(!printable_ascii(&bytes), "{bad:#x} at {at}");
            }
        }
    }

    #[test]
    fn ids_may_not_hide_characters() {
        assert_eq!(id_problem("id", "jp-core"), None);
        assert_eq!(id_problem("id", "日本.顧客"), None);
        let (message, _) = id_problem("id", "ab\u{1b}[31m").unwrap();
        assert_eq!(
            message,
            "`id` contains the invisible character U+001B at character 3"
        );
        assert!(id_problem("id", "a\u{202e}b").is_some());
        assert!(id_problem("id", "a\nb").is_some());
    }

    #[test]
    fn ids_and_lists_have_a_length_limit() {
        assert_eq!(id_problem("id", &"a".repeat(MAX_ID_BYTES)), None);
        let (message, _) = id_problem("id", &"a".repeat(MAX_ID_BYTES + 1)).unwrap();
        assert_eq!(
            message,
            "`id` is 1025 bytes long; an id may be at most 1024"
        );
        assert_eq!(list_problem("holds", MAX_LIST_ITEMS), None);
        assert!(list_problem("holds", MAX_LIST_ITEMS + 1).is_some());
    }
}
