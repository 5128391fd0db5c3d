"""Spools and the input order outputs flow on in."""

from __future__ import annotations

from pathlib import Path

from connector.documents import Document
from connector.host.spool import Flowing, InputOrder, Spool, SpoolFolder


def _item(text: str, origin: int) -> Flowing:
    return Flowing(Document(text.encode()), origin=origin)


def _texts(spool: Spool) -> list[str]:
    return [item.document.data.decode() for item in spool]


def test_the_first_unanswered_input_streams_and_later_ones_wait_their_turn(
    tmp_path: Path,
) -> None:
    folder = SpoolFolder(tmp_path)
    spool = folder.new()
    order = InputOrder(spool, folder)
    order.add(0, _item("a0", 0))
    order.add(2, _item("c0", 2))
    order.add(1, _item("b0", 1))
    order.add(0, _item("a1", 0))
    assert spool.count == 2, "the first input's outputs reach the spool as they come"
    order.answered(2)
    order.add(1, _item("b1", 1))
    assert spool.count == 2, "later inputs wait, even answered"
    order.answered(0)
    assert spool.count == 4, "input 1 is first now: its outputs so far went on"
    order.add(1, _item("b2", 1))
    assert spool.count == 5, "and its next output goes straight on"
    order.answered(1)
    assert _texts(spool) == ["a0", "a1", "b0", "b1", "b2", "c0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000001.spool"], "no file left waiting"


def test_a_single_input_streams_every_output_before_its_answer(tmp_path: Path) -> None:
    folder = SpoolFolder(tmp_path)
    spool = folder.new()
    order = InputOrder(spool, folder)
    for n in range(1000):
        order.add(0, _item(f"r{n}", 0))
        assert spool.count == n + 1
    order.answered(0)
    folder.close()
    assert len(list(tmp_path.iterdir())) == 1
