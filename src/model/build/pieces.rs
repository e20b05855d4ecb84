//! Reading large CSV tables in pieces that two threads share.

use super::{Builder, Collect, CsvSink, Entry, Lookups, RawEntry, Rows, Table};
use crate::model::diag::Diagnostic;
use crate::model::fields::Section;
use crate::model::source;

/// A CSV table with its header read, and what reading its rows needs.
pub(super) struct Stretch<'a> {
    pub(super) section: Section,
    pub(super) file: u32,
    pub(super) header: &'a source::CsvHeader,
    pub(super) lookups: Lookups<'a>,
}

impl Stretch<'_> {
    /// Reads the rows in `range` (with the line breaks before it, if
    /// known), numbering entries from `count`; returns the count after them
    /// and whether there was a syntax error.
    pub(super) fn read<'s, T, F>(
        &self,
        b: &mut Builder<'s>,
        out: &mut T,
        f: &F,
        range: (std::ops::Range<usize>, Option<usize>),
        count: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (usize, bool)
    where
        F: for<'e> Fn(&mut Builder<'s>, &mut T, &Entry<'e>),
    {
        let (sources, progress) = (b.sources, b.progress);
        let columns: Vec<&str> = self.header.columns.iter().map(String::as_str).collect();
        let mut row = |b: &mut Builder<'s>, e: &Entry| f(b, out, e);
        let mut table = Table::new(b, self.section, self.file, count, &mut row);
        table.lookups = self.lookups;
        table.header(&columns, &self.header.read);
        let syntax = source::read_csv_rows(
            sources,
            self.file,
            columns.len(),
            range,
            &mut table,
            diagnostics,
            progress,
        );
        (table.count, syntax)
    }
}

/// A large quote-free CSV table cut at line starts into pieces that two
/// threads claim: the table's own thread from the front, in order, and the
/// other thread from the back once its own work is done, so that neither
/// waits for the other.
pub(super) struct Pieces<'a> {
    stretch: Stretch<'a>,
    cuts: Cuts,
    /// The next piece from the front, and the end of the unclaimed ones.
    claims: std::sync::Mutex<(usize, usize)>,
}

/// Where a quote-free CSV table is cut into pieces: found apart from what
/// reading them needs, so that the cutting can be done beside other work.
pub(super) struct Cuts {
    /// Piece `i` is `cuts[i]..cuts[i + 1]`, with `lines[i]` line breaks
    /// before it.
    cuts: Vec<usize>,
    lines: Vec<usize>,
    /// The table's line breaks.
    total_lines: usize,
}

impl Cuts {
    /// The rows of `text` from `body` on, cut into pieces of about `size`
    /// bytes each, when they are quote-free; `None` otherwise.
    pub(super) fn new(text: &str, body: usize, size: usize) -> Option<Cuts> {
        let rows = text.as_bytes().get(body..)?;
        if memchr::memchr(b'"', rows).is_some() {
            return None;
        }
        // Each cut is just after the first line break `size` bytes or more
        // past the one before: a record always starts there.
        let mut cuts = vec![body];
        let step = size.max(1);
        while let Some(&at) = cuts.last()
            && let Some(rest) = text.as_bytes().get(at + step..)
            && let Some(i) = memchr::memchr(b'\n', rest)
            && at + step + i + 1 < text.len()
        {
            cuts.push(at + step + i + 1);
        }
        cuts.push(text.len());
        let mut lines = Vec::with_capacity(cuts.len() - 1);
        let mut before = memchr::memchr_iter(b'\n', &text.as_bytes()[..body]).count();
        for piece in cuts.windows(2) {
            lines.push(before);
            before += memchr::memchr_iter(b'\n', &text.as_bytes()[piece[0]..piece[1]]).count();
        }
        Some(Cuts {
            cuts,
            lines,
            total_lines: before,
        })
    }
}

/// A piece read from the back: its entries numbered as if it were first,
/// to be renumbered, or read again if it reported anything, once the
/// pieces before it are counted.
pub(super) struct Taken<T> {
    piece: usize,
    rows: Rows<T>,
    /// Entries it holds.
    counted: usize,
    diagnostics: Vec<Diagnostic>,
    syntax: bool,
}

impl<'a> Pieces<'a> {
    /// The pieces of a section's CSV table (`file` and its header), cut
    /// where `cuts` says.
    pub(super) fn new(
        section: Section,
        (file, header): &'a (u32, source::CsvHeader),
        lookups: Lookups<'a>,
        cuts: Cuts,
    ) -> Pieces<'a> {
        let pieces = cuts.cuts.len() - 1;
        Pieces {
            stretch: Stretch {
                section,
                file: *file,
                header,
                lookups,
            },
            cuts,
            claims: std::sync::Mutex::new((0, pieces)),
        }
    }

    /// At least the number of rows.
    pub(super) fn rows(&self) -> usize {
        self.cuts.total_lines + 1
    }

    fn range(&self, piece: usize) -> (std::ops::Range<usize>, Option<usize>) {
        let Cuts { cuts, lines, .. } = &self.cuts;
        (cuts[piece]..cuts[piece + 1], Some(lines[piece]))
    }

    fn claim(&self, from_front: bool) -> Option<usize> {
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        let (front, back) = &mut *claims;
        if front == back {
            return None;
        }
        Some(if from_front {
            *front += 1;
            *front - 1
        } else {
            *back -= 1;
            *back
        })
    }

    /// Reads pieces from the front into `out`, numbering from `count`.
    fn read_front<'s, T, F>(
        &self,
        b: &mut Builder<'s>,
        out: &mut Rows<T>,
        f: &F,
        mut count: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> usize
    where
        F: for<'e> Fn(&mut Builder<'s>, &mut Rows<T>, &Entry<'e>),
    {
        while let Some(piece) = self.claim(true) {
            let (counted, syntax) =
                self.stretch
                    .read(b, out, f, self.range(piece), count, diagnostics);
            b.had_syntax_errors |= syntax;
            count = counted;
        }
        count
    }

    /// Reads what is left from the back, each piece on its own.
    fn read_back<'s, T, F>(&self, b: &mut Builder<'s>, f: &F) -> Vec<Taken<T>>
    where
        F: for<'e> Fn(&mut Builder<'s>, &mut Rows<T>, &Entry<'e>),
    {
        let mut taken = Vec::new();
        while let Some(piece) = self.claim(false) {
            let range = self.range(piece);
            let mut rows = Rows::with_capacity(range.0.len() / 32);
            let mut diagnostics = Vec::new();
            // What the entries report goes to the builder: taken back here,
            // as it names entries by numbers that are not yet known.
            let mark = b.diagnostics.len();
            let (counted, syntax) = self
                .stretch
                .read(b, &mut rows, f, range, 0, &mut diagnostics);
            diagnostics.append(&mut b.take_since(mark));
            taken.push(Taken {
                piece,
                rows,
                counted,
                diagnostics,
                syntax,
            });
        }
        taken
    }

    /// Appends the pieces read from the back, in order, after those read
    /// from the front, which hold `count` entries before them. A piece that
    /// reported something is read again, numbered where it really starts.
    fn join<'s, T, F>(
        &self,
        b: &mut Builder<'s>,
        out: &mut Rows<T>,
        f: &F,
        mut count: usize,
        mut taken: Vec<Taken<T>>,
    ) where
        T: Send,
        F: for<'e> Fn(&mut Builder<'s>, &mut Rows<T>, &Entry<'e>),
    {
        taken.sort_unstable_by_key(|t| t.piece);
        for mut t in taken {
            if t.syntax || !t.diagnostics.is_empty() {
                t.rows = Rows::with_capacity(t.counted);
                t.diagnostics.clear();
                let (_, syntax) = self.stretch.read(
                    b,
                    &mut t.rows,
                    f,
                    self.range(t.piece),
                    count,
                    &mut t.diagnostics,
                );
                b.had_syntax_errors |= syntax;
            }
            b.diagnostics.append(&mut t.diagnostics);
            out.append_later(t.rows);
            count += t.counted;
        }
    }
}

/// A section's TOML entries, numbered from 0, before its CSV rows.
fn toml_first<'s, T, F>(
    b: &mut Builder<'s>,
    entries: Vec<RawEntry<'s>>,
    out: &mut T,
    f: &F,
) -> usize
where
    F: for<'e> Fn(&mut Builder<'s>, &mut T, &Entry<'e>),
{
    let mut count = 0;
    for raw in entries {
        let entry = b.check_entry(raw, Some(count));
        count += 1;
        f(b, out, &entry);
    }
    count
}

/// One of the sections [`side_by_side`] reads: its table's pieces, its
/// TOML entries, and what each becomes.
pub(super) type Side<'p, 's, F> = (&'p Pieces<'p>, Vec<RawEntry<'s>>, F);

/// Two sections read side by side: `mine` on this thread, then `then`;
/// `theirs` on a second thread. Each table is cut into [`Pieces`], and a
/// thread done with its own work reads the other's from the back. As in
/// [`for_each_entry_split`], a section's TOML entries come first.
pub(super) fn side_by_side<'s, T, U, C, F, G>(
    b: &mut Builder<'s>,
    mine: Side<'_, 's, F>,
    theirs: Side<'_, 's, G>,
    then: impl FnOnce(&mut Builder<'s>) -> C,
) -> (Rows<T>, Rows<U>, C)
where
    T: Send,
    U: Send,
    F: for<'e> Fn(&mut Builder<'s>, &mut Rows<T>, &Entry<'e>) + Sync,
    G: for<'e> Fn(&mut Builder<'s>, &mut Rows<U>, &Entry<'e>) + Sync,
{
    let (my_pieces, my_toml, f) = mine;
    let (their_pieces, their_toml, g) = theirs;
    let (f, g) = (&f, &g);
    let mut my_out = Rows::with_capacity(my_toml.len() + my_pieces.rows());
    let mut their_out = Rows::with_capacity(their_toml.len() + their_pieces.rows());
    let my_first = toml_first(b, my_toml, &mut my_out, f);
    let their_first = toml_first(b, their_toml, &mut their_out, g);
    let mut other = b.fork();
    let (my_count, c, from_theirs, (their_count, from_mine, other)) = std::thread::scope(|scope| {
        let their_out = &mut their_out;
        let later = scope.spawn(move || {
            let mut diagnostics = Vec::new();
            let count =
                their_pieces.read_front(&mut other, their_out, g, their_first, &mut diagnostics);
            other.diagnostics.append(&mut diagnostics);
            let from_mine = my_pieces.read_back(&mut other, f);
            (count, from_mine, other)
        });
        let mut diagnostics = Vec::new();
        let my_count = my_pieces.read_front(b, &mut my_out, f, my_first, &mut diagnostics);
        b.diagnostics.append(&mut diagnostics);
        let c = then(b);
        let from_theirs = their_pieces.read_back(b, g);
        let joined = later
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (my_count, c, from_theirs, joined)
    });
    // Diagnostics are sorted by place at the end: their order here is free.
    b.absorb(other);
    my_pieces.join(b, &mut my_out, f, my_count, from_mine);
    their_pieces.join(b, &mut their_out, g, their_count, from_theirs);
    (my_out, their_out, c)
}
