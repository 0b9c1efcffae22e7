"""The one "did you mean": a near spelling first, then a name that contains the miss."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from svadvisor.suggest import did_you_mean, nearest

ROUTES = ["competitive", "collaborative", "alliance", "commons"]


def test_a_misspelling_finds_the_name() -> None:
    assert nearest("colaborative", ROUTES) == "collaborative"
    assert did_you_mean("aliance", ROUTES) == " (did you mean 'alliance'?)"
    assert did_you_mean("aliance", ROUTES, form="lead") == "did you mean 'alliance'? "


def test_part_of_a_name_finds_the_whole() -> None:
    assert nearest("plymouth", ["lambeth-living-well", "plymouth-alliance"]) == "plymouth-alliance"


def test_nothing_near_says_nothing() -> None:
    assert nearest("xyzzy", ROUTES) is None
    assert did_you_mean("xyzzy", ROUTES) == ""
    assert did_you_mean("", ROUTES, form="lead") == ""


@given(st.text(max_size=20), st.lists(st.text(min_size=1, max_size=20), max_size=8))
def test_a_suggestion_is_always_a_known_name(name: str, known: list[str]) -> None:
    found = nearest(name, known)
    assert found is None or found in known
