"""The between-runs cache: same pack and cases as a fresh load, never a stale or broken one."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.tinypack import write_tiny_pack
from typer.testing import CliRunner

from svadvisor import folders
from svadvisor.cases import cache as case_cache
from svadvisor.cases.library import load_cases
from svadvisor.cases.matching import CaseLibrary
from svadvisor.cli.app import app
from svadvisor.errors import CaseLibraryError, RulePackError
from svadvisor.rulepack import cache
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import RulePack

ALLIANCE = str(EXAMPLES / "plymouth-alliance.yaml")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SVADVISOR_CACHE_DIR", str(folder))
    return folder


def entries(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"{kind}-*.json")) if folder.exists() else []


def test_a_cached_pack_is_the_pack_a_fresh_load_gives(cache_dir: Path, tmp_path: Path) -> None:
    for folder in (None, write_tiny_pack(tmp_path / "tiny")):
        fresh = load_pack(folder)
        first = cache.load_pack(folder)  # loads and stores
        second = cache.load_pack(folder)  # reads the entry back
        assert first == fresh
        assert second == fresh
        assert second is not fresh
        assert second.sha256 == fresh.sha256 and second.source == fresh.source
    assert len(entries(cache_dir, "pack")) == 2


def test_cached_cases_are_the_cases_a_fresh_load_gives(cache_dir: Path) -> None:
    pack = cache.load_pack(None)
    fresh = load_cases(pack)
    case_cache.load_cases(pack, None)
    again = case_cache.load_cases(pack, None)
    assert entries(cache_dir, "cases")
    assert again == fresh
    # profiles come back typed as an answers file reads them (tuples, dates, numbers)
    assert [c.profile for c in again.cases] == [c.profile for c in fresh.cases]


def test_an_edited_pack_is_read_afresh(
    cache_dir: Path, pack_copy: Path, edit: Callable[[str, str, str], Path]
) -> None:
    before = cache.load_pack(pack_copy)
    edit("routes.yaml", "label: Alliance contracting", "label: Alliance (Anytown wording)")
    after = cache.load_pack(pack_copy)
    assert after.route("alliance").label == "Alliance (Anytown wording)"
    assert before.sha256 != after.sha256
    assert len(entries(cache_dir, "pack")) == 2


@pytest.fixture
def stamps_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a pack not changed in the last two seconds: file contents are not read."""
    monkeypatch.setattr(folders, "RECENT_NS", -(10**18))
    if not folders.STAMPS_ENOUGH:
        pytest.skip("this file system keeps no change time: contents are always read")


@pytest.mark.parametrize("just_changed", [True, False])
def test_a_file_rewritten_with_its_old_size_and_time_is_read_afresh(
    cache_dir: Path,
    pack_copy: Path,
    edit: Callable[[str, str, str], Path],
    request: pytest.FixtureRequest,
    just_changed: bool,
) -> None:
    """Just changed, the file's content is read; later, its inode and change time tell."""
    if not just_changed:
        request.getfixturevalue("stamps_only")
    routes = pack_copy / "routes.yaml"
    before = routes.stat()
    cache.load_pack(pack_copy)
    assert cache.load_pack(pack_copy) == load_pack(pack_copy)
    time.sleep(0.05)  # past the file system clock's granularity
    edit("routes.yaml", "label: Alliance contracting", "label: Alliance contractink")
    os.utime(routes, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or tar would
    assert routes.stat().st_size == before.st_size
    assert cache.load_pack(pack_copy).route("alliance").label == "Alliance contractink"


@pytest.mark.usefixtures("stamps_only")
def test_files_in_a_linked_folder_are_part_of_the_pack(cache_dir: Path, pack_copy: Path) -> None:
    shared = pack_copy.parent / "shared-cpv"
    (pack_copy / "cpv").rename(shared)
    (pack_copy / "cpv").symlink_to(shared, target_is_directory=True)
    before = cache.load_pack(pack_copy)
    assert "75231240" in before.cpv_lists["light_touch"]
    time.sleep(0.05)
    lines = (shared / "light_touch.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("75231240")]
    assert len(kept) == len(lines) - 1
    (shared / "light_touch.csv").write_text("".join(kept), encoding="utf-8")
    after = cache.load_pack(pack_copy)
    assert "75231240" not in after.cpv_lists["light_touch"]
    assert after.sha256 != before.sha256


def test_a_value_the_cache_cannot_carry_back_is_not_stored(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = cache.load_pack(None)
    real = case_cache._library_json

    def losing_a_case(pack: RulePack, library: CaseLibrary) -> str:
        return real(pack, CaseLibrary(library.cases[1:], library.source))

    monkeypatch.setattr(case_cache, "_library_json", losing_a_case)
    assert case_cache.load_cases(pack, None) == load_cases(pack)
    assert entries(cache_dir, "cases") == []


def test_a_pack_with_problems_is_never_stored(
    cache_dir: Path, pack_copy: Path, edit: Callable[[str, str, str], Path]
) -> None:
    edit("routes.yaml", "label: Alliance", "lable: Alliance")
    for _ in range(2):  # located again on every run
        with pytest.raises(RulePackError) as raised:
            cache.load_pack(pack_copy)
        assert "routes.yaml" in str(raised.value)
    assert entries(cache_dir, "pack") == []


def test_cases_that_do_not_fit_are_never_stored(cache_dir: Path, tmp_path: Path) -> None:
    tiny = cache.load_pack(write_tiny_pack(tmp_path / "tiny"))
    with pytest.raises(CaseLibraryError):
        case_cache.load_cases(tiny, None)
    assert entries(cache_dir, "cases") == []


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"meta": 1}', b"[]", b"\xff\xfe"])
def test_a_damaged_entry_is_read_afresh_and_replaced(cache_dir: Path, damage: bytes) -> None:
    fresh = load_pack()
    pack = cache.load_pack(None)
    case_cache.load_cases(pack, None)
    for entry in [*entries(cache_dir, "pack"), *entries(cache_dir, "cases")]:
        entry.write_bytes(damage)
    assert cache.load_pack(None) == fresh
    assert case_cache.load_cases(pack, None) == load_cases(pack)
    assert all(e.read_bytes() != damage for e in entries(cache_dir, "pack"))
    assert all(e.read_bytes() != damage for e in entries(cache_dir, "cases"))


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SVADVISOR_CACHE_DIR", str(blocker / "cache"))
    assert cache.load_pack(None) == load_pack()


def test_the_cache_can_be_turned_off(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVADVISOR_NO_CACHE", "0")
    assert cache.cache_dir() == cache_dir
    monkeypatch.setenv("SVADVISOR_NO_CACHE", "1")
    assert cache.cache_dir() is None
    cache.load_pack(None)
    assert not cache_dir.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="XDG folders are Linux's")
def test_without_settings_it_lives_in_the_users_cache_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SVADVISOR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache.cache_dir() == Path("/somewhere/cache/svadvisor")


def test_old_entries_are_pruned_and_other_files_left_alone(cache_dir: Path) -> None:
    cache_dir.mkdir()
    mine = cache_dir / "my-settings.json"
    mine.write_text("{}", encoding="utf-8")
    os.utime(mine, (1, 1))
    for n in range(cache.KEEP + 5):
        old = cache_dir / f"pack-{n:064d}.json"
        old.write_text("{}", encoding="utf-8")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    cache.load_pack(None)
    kept = entries(cache_dir, "pack")
    assert len(kept) == cache.KEEP
    assert cache_dir / f"pack-{0:064d}.json" not in kept  # the oldest went first
    assert mine.exists()


def test_assess_prints_the_same_with_a_cold_and_a_warm_cache(cache_dir: Path) -> None:
    runner = CliRunner()
    cold = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"])
    assert entries(cache_dir, "pack") and entries(cache_dir, "cases")
    warm = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"])
    assert cold.exit_code == warm.exit_code == 0
    assert warm.stdout == cold.stdout


def test_the_code_fingerprint_covers_every_module_in_every_subpackage(tmp_path: Path) -> None:
    import shutil

    import svadvisor

    package = Path(svadvisor.__file__).resolve().parent
    on_disk = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.suffix == ".py" and "__pycache__" not in p.parts
    }
    covered = {p.relative_to(package).as_posix() for p in cache.package_modules(package)}
    assert covered == on_disk
    assert {"rulepack/load.py", "scoring/engine.py", "pipeline/readers.py"} <= covered

    # an edit to a module deep in a subpackage changes the stamp the fingerprint is made of
    copy = tmp_path / "svadvisor"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = folders.files_stamp(copy, cache.package_modules(copy))
    with (copy / "scoring" / "engine.py").open("a", encoding="utf-8") as module:
        module.write("\n# a developer's edit\n")
    assert folders.files_stamp(copy, cache.package_modules(copy)) != before
