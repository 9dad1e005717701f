"""Reading a reference laid out as a list: runs of items under labels, menus of alternatives as groups. Pure."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from grader.engine.reading_marks import (
    MENU,
    SENTENCE_END,
    bullet_kind,
    is_bullet,
    n_content,
    stated_count,
    strip_bullet,
)
from grader.models import ReadGroup, Reading, ReadPoint

MAX_LIST_POINTS = 14


@dataclass
class _Run:
    """Consecutive list items under one label (or none)."""

    label: str = ""
    menu: bool = False
    kind: str | None = None  # the bullet of its first item ("" for plain lines)
    items: list[list[str]] = field(default_factory=list)  # each item: its line, then the sub-items under it
    prefix: str = ""  # a plain header ("Fields only TCP has:"): it opens the first item's text


def read_list(lines: list[str], asks_for: int | None) -> Reading:
    """One point per line or list item, in runs under labels; a run under a menu label is a group."""
    runs: list[_Run] = []
    run: _Run | None = None
    # Titled sections: two or more titles, each over a plain paragraph (a single one may be a list's last item
    # followed by a closing remark).
    sections = sum(bool(a and b and is_bullet(a) and not is_bullet(b) and _is_title(strip_bullet(a)))
                   for a, b in itertools.pairwise(lines)) >= 2  # fmt: skip
    for raw in lines:
        if not raw:
            run = None
            continue
        bullet = is_bullet(raw)
        text = strip_bullet(raw) if bullet else raw
        kind = bullet_kind(raw) if bullet else ""
        if (
            run is not None
            and run.items
            and run.kind
            and kind != run.kind
            and (bullet or len(run.items[-1]) > 1 or (sections and _is_title(run.items[-1][0])))
        ):
            # A sub-item, marked otherwise than the items, or a plain line going on from one or under a title
            # ("🔹Прямой проход" over its paragraph): it explains the item above it.
            run.items[-1].append(text)
            continue
        if text.endswith(":") and not (bullet and run is not None and run.kind):
            lead, label = _split_label(text)
            if MENU.search(label) or n_content(label) <= 8:
                if lead:
                    runs.append(_Run(items=[[lead]], kind=""))
                run = _Run(label=label, menu=bool(MENU.search(label)))
                run.prefix = "" if run.menu else label
                runs.append(run)
                continue
        if run is None or (run.kind is not None and run.kind != kind and not (run.kind and bullet)):
            run = _Run()
            runs.append(run)
        if run.kind is None:
            run.kind = kind
        run.items.append([text])
    return _list_reading([r for r in runs if r.items or r.menu], asks_for, sections)


def _is_title(text: str) -> bool:
    """A section title: a few words that end no sentence and open nothing ("Прямой проход (forward propagation)")."""
    return text[-1:] not in ".!?;:," and 0 < n_content(text) <= 6


def _split_label(text: str) -> tuple[str, str]:
    """A line ending in ":" as (the sentences before its last, the last sentence: the label)."""
    parts = SENTENCE_END.split(text)
    return " ".join(parts[:-1]).strip(), parts[-1].strip()


def _list_reading(runs: list[_Run], asks_for: int | None, sections: bool = False) -> Reading:
    """The points and groups of the runs; with `sections`, an item titling the lines under it is said by them."""
    points: list[ReadPoint] = []
    groups: list[ReadGroup] = []
    unsure: list[str] = []
    if runs and runs[0].menu:
        return _whole_menu(runs, asks_for)
    menus = [r for r in runs if r.menu and r.items]
    # A question's count goes to the menu whose label states none, else to the one run of more items than it asks.
    open_menus = [r for r in menus if stated_count(r.label) is None]
    long_runs = [r for r in runs if asks_for and len(r.items) > asks_for]
    counted = open_menus[0] if open_menus and asks_for else long_runs[0] if len(long_runs) == 1 else None
    for r in runs:
        members = []
        for k, (line, *subs) in enumerate(r.items):
            head = f"{r.prefix} {line}".strip() if k == 0 and r.prefix else line
            body = " ".join([head, *subs])
            # An item that opens its sub-items ("A calculation:") or titles them is said by them with it; another
            # is said by its own line.
            opens = n_content(head) < 3 or head.endswith(":") or (sections and _is_title(head))
            text = body if subs and opens else head
            members.append(ReadPoint(text=text, context=body if body != text else ""))
        needs = stated_count(r.label) if r.menu else None
        if needs is None and r is counted:
            needs = asks_for
        if needs is None and r.menu:
            needs = 1
            unsure.append(f"menu guessed from {r.label!r}: any 1 of its {len(members)} items counts")
        if needs is not None and needs < len(members):
            gid = f"g{len(groups) + 1}"
            for p in members:
                p.group = gid
            groups.append(ReadGroup(id=gid, needs=needs, size=len(members), label=r.label))
        points += members
    points = _merge_points(points, MAX_LIST_POINTS)
    reading = Reading(shape="list", points=points, unsure=unsure)
    if len(groups) == 1 and all(p.group == groups[0].id for p in points):
        reading.needs = groups[0].needs  # a group of the whole rubric is the rubric's own count
        for p in points:
            p.group = None
        return reading
    reading.groups = [g.model_copy(update={"size": sum(p.group == g.id for p in points)}) for g in groups]
    reading.groups = [g for g in reading.groups if g.needs < g.size]
    kept = {g.id for g in reading.groups}
    for p in points:
        p.group = p.group if p.group in kept else None
    if asks_for and counted is None and not reading.groups and asks_for < len(points):
        reading.needs = asks_for
    return reading


def _whole_menu(runs: list[_Run], asks_for: int | None) -> Reading:
    """A reference that opens with a menu label ("Possible challenges:") is one menu: the answer needs the label's
    count, else the question's, else one of its items."""
    label = runs[0].label
    items = [" ".join([r.prefix, *item] if k == 0 else item).strip() for r in runs for k, item in enumerate(r.items)]
    points = _merge_points([ReadPoint(text=t) for t in items], MAX_LIST_POINTS)
    needs = stated_count(label) or asks_for
    unsure = [] if needs else [f"menu guessed from {label!r}: any 1 of its {len(points)} items counts"]
    needs = needs or 1
    return Reading(shape="list", points=points, needs=needs if needs < len(points) else None, unsure=unsure)


def _merge_points(points: list[ReadPoint], limit: int) -> list[ReadPoint]:
    """A point without content joins the one before it in its group; then the closest-to-empty neighbours of one
    group merge until `limit` remain (or no two neighbours share a group)."""
    out: list[ReadPoint] = []
    for p in points:
        if out and n_content(p.text) < 1 and out[-1].group == p.group:
            out[-1] = _joined(out[-1], p)
        else:
            out.append(p)
    while len(out) > limit:
        pairs = [j for j in range(len(out) - 1) if out[j].group == out[j + 1].group]
        if not pairs:
            break
        i = min(pairs, key=lambda j: n_content(out[j].text) + n_content(out[j + 1].text))
        out[i : i + 2] = [_joined(out[i], out[i + 1])]
    return out


def _joined(a: ReadPoint, b: ReadPoint) -> ReadPoint:
    context = f"{a.context or a.text} {b.context or b.text}" if a.context or b.context else ""
    return a.model_copy(update={"text": f"{a.text} {b.text}", "context": context})
