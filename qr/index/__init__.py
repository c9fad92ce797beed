"""The phrase index: `/code` queries, text, pinyin and fuzzy search, built for 100,000 phrases,
and the on-disk cache that makes a warm start map one file instead of parsing TOML.

A keystroke never runs a fuzzy scorer over the whole library. Searching goes in tiers, best score
first, and stops as soon as nothing left unscanned could enter the page:
code -> title prefix -> title -> code/tags/group -> pinyin -> body -> fuzzy over a candidate set
chosen through a vocabulary of the library's words (typo-tolerant, bounded).
Each field of every phrase is joined into one UTF-8 byte string and searched with `find` (C
speed): a common word stops after the first page of hits; a rare word or a typo skips, through a
bloom filter of character pairs per group, the groups that cannot contain it. ASCII queries scan
an ASCII-only projection of the Chinese fields (a quarter of the bytes).

The modules, from the bottom up:
- `pinyin`: per-character pinyin tables (pypinyin's data read only to index, then kept in a tables
  file in the cache folder); `word_pinyin`: heteronyms read by word.
- `fields`: one key field of every phrase as bytes (`KeyField`), and the bloom filters.
- `keys`: what is precomputed per group (`GroupKeys`, `group_keys`).
- `codes`: the code table (code order, natural order) and close spellings of a code.
- `phrase_index`: `PhraseIndex` (entries, lookups, `/code` search, the search entry point).
- `tiers`: text search in tiers; `fuzzy`: typos through the vocabulary.
- `spans`: which characters of a title to highlight.
- `cache_file`: the cache file's layout, checked reading, atomic writing;
  `cached_group`: groups whose phrases are unpickled on first use;
  `cache`: `load_cached`, a library loaded through its cache.
- `reindex`: a new index after an edit, reusing the keys of unchanged groups.
- `relevance_worker`, `relevance_child`: a big library's relevance index built by a child process.

`Entry` and `Hit` (what a search returns) live beside the models, in `qr.store.entry`.
No Textual here: the CLI and the TUI share it. Nothing is imported by this file, so a warm
`qr search` loads only the modules it uses.
"""
