"""C kernels compiled on first use: built once into wright's cache folder, reloaded from there,
rebuilt when the source changes, and None (with the reason) without a compiler or on a compile
error, so callers keep their NumPy code."""

from __future__ import annotations

import pytest

from wright import native

SOURCE = "int twice(int x) { return 2 * x; }\n"

pytestmark = pytest.mark.skipif(native.compiler() is None, reason="no C compiler here")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty wright cache folder for the test."""
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(native, "enabled", True)
    return tmp_path / "cache"


def write(tmp_path, name: str, text: str):
    source = tmp_path / name
    source.write_text(text)
    return source


def test_a_source_is_compiled_once_into_the_cache(tmp_path, cache):
    source = write(tmp_path, "twice.c", SOURCE)
    library = native.load(source)
    assert library.twice(21) == 42
    built = list((cache / "native").glob("twice-*.so"))
    assert built == [native.library_path(source, native.compiler())]
    assert native.load(source) is library
    assert not list((cache / "native").glob("tmp*"))  # the temporary file was renamed


def test_a_cached_library_is_loaded_without_compiling(tmp_path, cache, monkeypatch):
    first = write(tmp_path, "cached.c", SOURCE)
    native.load(first)
    (tmp_path / "other").mkdir()
    second = write(tmp_path / "other", "cached.c", SOURCE)  # another path, the same text
    monkeypatch.setattr(native.subprocess, "run", lambda *a, **k: pytest.fail("compiled again"))
    assert native.load(second).twice(4) == 8


def test_an_edited_source_gets_a_new_library(tmp_path, cache):
    source = write(tmp_path, "edited.c", SOURCE)
    before = native.library_path(source, native.compiler())
    source.write_text(SOURCE.replace("2 * x", "3 * x"))
    assert native.library_path(source, native.compiler()) != before


def test_without_a_compiler_the_caller_keeps_numpy(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(native, "compiler", lambda: None)
    source = write(tmp_path, "nocompiler.c", SOURCE)
    assert native.load(source) is None
    assert "no C compiler" in native.errors[source]


def test_a_compile_error_is_reported_not_raised(tmp_path, cache):
    source = write(tmp_path, "broken.c", "int broken(void) { return }\n")
    assert native.load(source) is None
    assert "failed" in native.errors[source] and "broken.c" in native.errors[source]
    assert not list((cache / "native").glob("*"))  # no half-written library is left


def test_switched_off_nothing_is_compiled(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(native, "enabled", False)
    assert native.load(write(tmp_path, "off.c", SOURCE)) is None
    assert not (cache / "native").exists()
