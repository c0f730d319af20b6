"""A missed concept item explains itself (issue 16 §3): the closest block, the phrase groups it matched and
the ones it did not, or the groups that appear nowhere in the plan."""

from __future__ import annotations

from archbench.core.rubric import ConceptSpec, Rubric
from archbench.graders.completeness import check_completeness
from archbench.graders.plan import parse_plan

RUBRIC = Rubric(
    edge_cases=[
        ConceptSpec(
            id="double-offer",
            description="Two patients accepting the same freed slot: the second gets 409",
            all_of=[["slot", "appointment"], ["second", "both", "race"], ["409", "conflict"]],
        )
    ]
)


def _item(text: str):
    (item,) = check_completeness(parse_plan(text), RUBRIC)
    return item


def test_met_item_is_unchanged() -> None:
    item = _item("If both patients accept the slot, the second gets 409.")
    assert item.met and item.line == 1 and item.description == RUBRIC.edge_cases[0].description


def test_miss_names_the_closest_block_and_the_groups_it_lacks() -> None:
    item = _item("# Plan\n\nThe offer names the slot.\n\nIf both patients accept the slot, the later one is told it is taken.\n")
    assert not item.met and item.line is None and item.evidence is None
    assert "closest block line 5" in item.description
    assert "matches [slot / appointment], [second / both / race] but not [409 / conflict]" in item.description
    assert "nowhere in the plan: [409 / conflict]" in item.description


def test_miss_when_no_group_appears() -> None:
    item = _item("Polling every 30 seconds is enough.")
    assert "no phrase of any group appears in the plan" in item.description
