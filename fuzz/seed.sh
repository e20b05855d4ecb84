#!/bin/sh
# Seeds the fuzz corpora from the example models and the broken-model corpus.
# The corpora (fuzz/corpus/, gitignored) are built at run time, never committed.
set -eu
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/toml_loader fuzz/corpus/csv_loader fuzz/corpus/pipeline
find models tests/bad -name '*.toml' | while read -r f; do
    cp "$f" "fuzz/corpus/toml_loader/$(echo "$f" | tr '/' '_')"
done
# A csv_loader input is one byte naming the table (its index in TABLES in
# fuzz_targets/csv_loader.rs), then the table's contents.
i=0
for table in categories organisations systems flows access contracts policies; do
    find models tests/bad -name "$table.csv" | while read -r f; do
        out="fuzz/corpus/csv_loader/$(echo "$f" | tr '/' '_')"
        printf "\\$(printf '%03o' "$i")" > "$out"
        cat "$f" >> "$out"
    done
    i=$((i + 1))
done
