"""The search index: how text is cut into tokens, how postings are written, and how an edit patches them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corpus import write_corpus
from digestsite.cache.keys import Keys
from digestsite.cache.search_store import MemoryIndexStore
from digestsite.config import load_config
from digestsite.search import indexer as indexer_module
from digestsite.search.documents import search_record
from digestsite.search.indexer import INDEX_DIR, SearchIndexer, chunk_count
from digestsite.search.postings import BITMAP, decode_docs, encode_docs
from digestsite.search.tokens import add_tokens, bucket, chunk_of, normalise
from digestsite.site.assemble import Site, load_site
from helpers import REPO, edit

# Tokens


def tokens(text: str) -> set[str]:
    return add_tokens(text, set())


def test_a_cjk_run_gives_its_characters_bigrams_and_trigrams_and_nothing_longer():
    assert tokens("多模态") == {"多", "模", "态", "多模", "模态", "多模态"}
    assert "大语言模" not in tokens("大语言模型") and {"大语言", "语言模", "言模型"} <= tokens("大语言模型")


def test_words_are_lower_case_with_their_pairs_and_a_cjk_run_breaks_a_pair():
    assert tokens("Transformer-Mamba") == {"transformer", "mamba", "transformer mamba"}
    assert tokens("1-bit LLMs") == {"1", "bit", "llms", "1 bit", "bit llms"}
    found = tokens("LoRA微调QLoRA")
    assert {"lora", "qlora", "微调"} <= found and "lora qlora" not in found


def test_full_width_letters_and_digits_are_read_as_ascii():
    assert normalise("ＧＰＴ－４ 与 Ｌｏｒａ") == "gpt－4 与 lora"
    assert tokens("ＧＰＴ４") == {"gpt4"}


def test_a_word_is_filed_by_its_first_letters_so_a_prefix_finds_its_chunk():
    assert bucket("transformer") == bucket("transfer") == "tra"
    assert bucket("state space") == bucket("state spaces") == "state spa"
    assert bucket("多模态") == "多模态" and bucket("#2403.19887") == "#2403.19887"
    assert chunk_of("transformer", 64) == chunk_of("trasnformer", 64)


def test_the_chunk_hash_is_fnv_1a_over_code_points():
    """static/search.js computes the same numbers; tests/browser/test_search.py checks it in Chromium."""
    assert chunk_of("多模态", 1 << 32) == 0x67DA949F
    assert chunk_of("mamba", 1 << 32) == chunk_of("mam", 1 << 32) == 0xEAA30102


# Postings


@given(st.sets(st.integers(min_value=0, max_value=20_000), min_size=1))
def test_paper_lists_decode_to_what_was_encoded(docs: set[int]) -> None:
    ordered = sorted(docs)
    assert decode_docs(encode_docs(ordered)) == ordered


def test_a_dense_list_is_a_bitmap_and_a_sparse_one_its_gaps():
    dense = list(range(0, 3000, 2))
    assert encode_docs(dense).startswith(BITMAP) and len(encode_docs(dense)) == 501
    assert encode_docs([0, 5, 40]) == "04Y1"  # gaps 0, 4 and 34: "Y" is 2 with "more follows", then 1·32


def test_the_number_of_chunks_grows_with_the_papers_in_powers_of_two():
    assert chunk_count(56) == 16
    assert chunk_count(10_000) == 2048
    assert chunk_count(10**7) == 4096


# The index as files


def index_files(site: Site, store: MemoryIndexStore | None = None) -> dict[str, str]:
    """Every file of the index a fresh build of `site` writes, by path under search-index/."""
    indexer = SearchIndexer(site, store)
    indexer.wait()
    out = Path(site.config.root) / "_index"
    shutil.rmtree(out, ignore_errors=True)
    indexer.finish(out)
    return {p.relative_to(out / INDEX_DIR).as_posix(): p.read_text("utf-8") for p in out.rglob("*") if p.is_file()}


def data_of(script: str) -> object:
    return json.loads(script[script.index(",") + 1 : script.rindex(")")])


def test_the_index_lists_batches_oldest_first_and_files_each_paper_under_its_batch(bundled_site):
    site = load_site(load_config(bundled_site))
    files = index_files(site)
    meta = data_of(files["meta.js"])
    assert [batch[0] for batch in meta["batches"]] == [batch.slug for batch in reversed(site.batches)]
    assert sum(batch[2] for batch in meta["batches"]) == len(site.papers) == 56
    batch = next(b for b in site.batches if b.papers[0].arxiv_id == "2403.19887")
    jamba = data_of(files[f"p/{batch.slug}/0.js"])
    assert jamba["u"] == "2403.19887" and jamba["z"].startswith("Jamba：") and "Mamba 层交替布置" in jamba["s"]
    assert len([path for path in files if path.startswith("c/")]) == meta["chunks"] == 16


def test_a_token_is_in_the_chunk_its_hash_names_with_the_papers_that_hold_it(bundled_site):
    site = load_site(load_config(bundled_site))
    files = index_files(site)
    oldest_first = [p for batch in reversed(site.batches) for p in batch.papers if p.batch == batch.slug]

    def holders(token: str) -> tuple[set[str], set[str]]:
        value = data_of(files[f"c/{chunk_of(token, 16)}.js"])[token]
        docs, head = (value, "") if isinstance(value, str) else value
        return ids(docs), ids(head)

    def ids(docs: str) -> set[str]:
        return {oldest_first[doc].arxiv_id for doc in decode_docs(docs)}

    assert holders("混合专") == ({"2403.19887"}, set())  # in Jamba's summary only
    assert holders("mamba") == ({"2403.19887", "2405.21060", "2402.19427"}, {"2403.19887"})
    assert holders("state space")[1] == {"2405.21060"}
    assert holders("#2403.19887") == ({"2403.19887"}, set())


def test_index_files_are_scripts_that_name_themselves(bundled_site):
    files = index_files(load_site(load_config(bundled_site)))
    for path, text in files.items():
        assert text.startswith(f'digestsiteIndex("{path.removesuffix(".js")}",') and text.endswith(");\n")


# Patching the index after an edit


def patched_against_fresh(root: Path, changes: list, store: MemoryIndexStore) -> list[tuple[list[str], list[str]]]:
    """Apply each change, patch the index in a live folder, and check it equals a fresh index; returns
    what each patch replaced and removed."""
    config = load_config(root / "site.yaml")
    live = root / "live"
    first = SearchIndexer(load_site(config), store)
    first.finish(live)
    previous = first.keys
    applied = []
    for change in changes:
        change()
        site = load_site(config)
        patching = SearchIndexer(site, store)
        new = root / "new"
        shutil.rmtree(new, ignore_errors=True)
        replaced, removed = patching.place_changes(new, previous, live)
        for path in removed:
            (live / path).unlink()
        for path in replaced:
            shutil.rmtree(live / path) if (live / path).is_dir() else (live / path).unlink(missing_ok=True)
            (live / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(new / path, live / path)
        fresh = index_files(site)
        after = {p.relative_to(live / INDEX_DIR).as_posix(): p.read_text("utf-8") for p in live.rglob("*.js")}
        assert after == fresh
        previous = patching.keys
        applied.append((replaced, removed))
    return applied


def test_a_one_character_edit_rewrites_its_papers_fragment_and_the_chunks_of_the_tokens_it_changed(tmp_path):
    write_corpus(tmp_path / "seeds", papers=300)
    (tmp_path / "site.yaml").write_text("languages: [zh, en]\n", "utf-8")
    store = MemoryIndexStore(Keys())
    digest = tmp_path / "seeds" / "00010.md"
    summary = digest.read_text("utf-8").split("\n")[3]

    def paper_tokens() -> set[str]:
        record = search_record(load_site(load_config(tmp_path / "site.yaml")).batch("00010").papers[0])
        return record.tokens(record.head_tokens())

    before = paper_tokens()
    [(replaced, removed)] = patched_against_fresh(
        tmp_path, [lambda: edit(digest, summary, summary.replace("研究", "研", 1))], store
    )
    chunks = {f"{INDEX_DIR}/c/{chunk_of(token, 64)}.js" for token in before ^ paper_tokens()}
    assert sorted(replaced) == sorted([*chunks, f"{INDEX_DIR}/p/00010/0.js"]) and removed == []
    assert 0 < len(chunks) < 12


def test_edits_new_batches_and_removed_ones_patch_to_the_same_index_as_a_fresh_build(bundled_site):
    root = bundled_site.parent
    seeds = root / "seeds"
    jamba = seeds / "000_9dc9e78c6ea22407.txt"
    changes = [
        lambda: edit(jamba, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
        lambda: edit(jamba, "# Jamba: A Hybrid", "# Jamba: One Hybrid"),  # a title: head lists change
        lambda: edit(jamba, "# Gecko:", "# New\n[新](https://arxiv.org/abs/2407.00002)\n\n状态空间。\n\n# Gecko:"),
        lambda: (seeds / "005_new.md").write_text("# Newer\n[更新](https://arxiv.org/abs/2407.00001)\n\n多模态。\n"),
        lambda: (seeds / "001_1bbfa1e29201756a.txt").unlink(),  # the oldest: every paper is renumbered
        lambda: (seeds / "005_new.md").unlink(),
    ]
    applied = patched_against_fresh(root, changes, MemoryIndexStore(Keys()))
    assert all(INDEX_DIR not in replaced for replaced, _ in applied)  # patched, never made anew
    # the oldest batch's removal leaves result files behind to remove (its own, or a sibling's whose date slug moved)
    assert applied[4][1] and all(path.startswith(f"{INDEX_DIR}/p/") for path in applied[4][1])


def test_a_store_that_lost_its_chunks_or_too_many_renumbered_papers_make_the_index_anew(bundled_site, monkeypatch):
    root = bundled_site.parent
    store = MemoryIndexStore(Keys())
    jamba = root / "seeds" / "000_9dc9e78c6ea22407.txt"

    def lose_chunks() -> None:
        store.values = {name: value for name, value in store.values.items() if not name.startswith("chunk-")}
        edit(jamba, "我们推出了 Jamba", "我们推出了 Jambo")

    def renumber() -> None:  # a paper before three of the batch's papers and a later batch's ten
        edit(jamba, "# Gecko:", "# New\n[新](https://arxiv.org/abs/2407.00002)\n\n状态空间。\n\n# Gecko:")

    monkeypatch.setattr(indexer_module, "REDO_LIMIT", 20)
    applied = patched_against_fresh(root, [lose_chunks, renumber], store)
    assert [replaced for replaced, _ in applied] == [[INDEX_DIR], [INDEX_DIR]]


def test_an_unchanged_site_changes_nothing_and_a_live_index_of_another_build_is_replaced(bundled_site):
    site = load_site(load_config(bundled_site))
    store = MemoryIndexStore(Keys())
    live = bundled_site.parent / "live"
    first = SearchIndexer(site, store)
    first.finish(live)
    assert SearchIndexer(site, store).place_changes(live / "new", first.keys, live) == ([], [])
    assert SearchIndexer(site, store).place_changes(live / "new", ["another"], live) == ([INDEX_DIR], [])


def test_the_demo_sites_index_is_the_same_from_the_repository_seeds(bundled_site):
    """The bundled site indexes every paper of every seed file (none dropped by the batch layout)."""
    site = load_site(load_config(bundled_site))
    files = index_files(site)
    fragments = [data_of(text)["u"] for path, text in files.items() if path.startswith("p/")]
    assert sorted(fragments) == sorted(p.slug for p in site.papers)
    assert len(list((REPO / "seeds").iterdir())) == len(data_of(files["meta.js"])["batches"])
