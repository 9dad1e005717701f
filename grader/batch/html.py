"""report.html: one self-contained page (inline CSS, no script, no network). Pure: summary and records in, text out.

Every piece of candidate or input text goes through `_t` (control/bidi characters made visible one for one, then
HTML-escaped), so no markup, script or text direction from an answer reaches the page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from itertools import groupby, islice
from typing import TYPE_CHECKING, Any

from grader.batch.html_text import FLAGS, LABELS, flag_text, reason_text
from grader.batch.records import visible
from grader.batch.stats import CandidateStats, Summary
from grader.batch.summary import reason_of

if TYPE_CHECKING:
    from grader.batch.ranking import Ranked

ANSWER_MAX = 20_000  # characters of one answer shown; the full text is in grades.jsonl
HEATMAP_MAX_CANDIDATES = 300

CSS = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--mute:#6b7280;--line:#e5e7eb;--accent:#2f6fed;
--good:#1f9d55;--mid:#d69e2e;--bad:#d64545}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 24px 64px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 12px}.sub{color:var(--mute);margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-top:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card b{display:block;font-size:26px}.card span{color:var(--mute);font-size:13px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:4px 0;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{padding:7px 12px;text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--mute);border-bottom:1px solid var(--line)}
tr+tr td{border-top:1px solid var(--line)}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{background:#eef0f4;border-radius:4px;height:8px;min-width:90px;margin-top:7px}
.bar i{display:block;height:8px;border-radius:4px}
.heat{width:auto}.heat td,.heat th{padding:4px;text-align:center;font-size:12px}
.heat td.name,.heat th.name{text-align:left;
white-space:nowrap;max-width:220px;overflow:hidden;text-overflow:ellipsis;font-size:13px}
.heat td.cell{min-width:38px;border-radius:4px;font-variant-numeric:tabular-nums;border:2px solid var(--card)}
.heat td.none{color:#aab;background:#f1f2f5}.heat td.blank{background:#fde2e2;color:#9b1c1c}
.heat td.failed{background:#e5e7eb;color:#374151;font-style:italic}.heat tr+tr td{border-top:none}
.qkey{color:var(--mute);font-size:13px;margin:8px 4px 0}.qkey b{color:var(--ink)}
.missed{margin:0;padding-left:18px;font-size:13px}.missed li{margin:2px 0}.pct{color:var(--bad);font-weight:600}
details.cand{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:12px 0}
details.cand>summary{cursor:pointer;padding:12px 16px;font-weight:600;font-size:16px}
.ans{border-top:1px solid var(--line);padding:14px 16px}.ans h3{font-size:15px;margin:0 0 8px;font-weight:600}
.badge{display:inline-block;min-width:44px;text-align:center;border-radius:999px;padding:1px 9px;color:#fff;
font-weight:700;margin-right:8px;font-size:13px}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafbfc;border:1px solid var(--line);
border-radius:8px;padding:10px 12px;margin:8px 0;max-height:420px;overflow-y:auto;unicode-bidi:isolate}
mark{background:#c9f2d6;border-radius:3px;padding:0 1px}mark.partial{background:#fbe7b5}
ul.points{list-style:none;padding:0;margin:6px 0 0}ul.points li{margin:3px 0;font-size:14px}
.st{display:inline-block;width:20px;font-weight:700}.covered .st{color:var(--good)}.partial .st{color:var(--mid)}
.missing .st{color:var(--bad)}.hint{color:var(--mute);font-size:13px;margin-left:20px}
.fb{color:var(--mute);font-size:13px;margin-top:6px}.err{color:var(--bad)}.note{color:var(--mute);font-size:13px}
.flag{display:inline-block;background:#f3e8ff;color:#6b21a8;border-radius:4px;padding:0 6px;font-size:12px}
@media print{details.cand{break-inside:avoid}body{background:#fff}}
"""
_MARK = {"covered": "✔", "partial": "◐", "missing": "✘"}


def _t(text: Any) -> str:
    return html.escape(visible("" if text is None else str(text)), quote=True)


def _pct(score: float | None) -> str:
    return "—" if score is None else str(round(score * 100))


def _colour(score: float | None) -> str:
    return (
        "#9aa1ad"
        if score is None
        else "var(--good)"
        if score >= 0.75
        else "var(--mid)"
        if score >= 0.4
        else "var(--bad)"
    )


def _heat(score: float) -> str:
    return f"hsl({round(score * 120)},62%,{78 - round(score * 10)}%)"


def _bar(score: float | None) -> str:
    width = 0 if score is None else round(score * 100)
    return f'<div class="bar"><i style="width:{width}%;background:{_colour(score)}"></i></div>'


def render_html(summary: Summary, details: Iterable[dict[str, Any]], *, shown: int, ranked: Ranked,
                stats: dict[str, CandidateStats]) -> Iterator[str]:  # fmt: skip
    """The report page in chunks: overview, ranking, heat map, question difficulty, then each answer in detail.

    `details` are grades.jsonl objects in display order (grouped by candidate); `shown` says how many there are.
    The candidates and flagged groups are read from `ranked` (as streams), with `stats` holding those of the
    candidates shown in detail.
    """
    lab = LABELS.get(summary.lang, LABELS["en"])
    qnum = {q.id: i for i, q in enumerate(summary.questions, start=1)}
    yield f'<!DOCTYPE html>\n<html lang="{summary.lang}"><head><meta charset="utf-8">'
    yield '<meta name="viewport" content="width=device-width,initial-scale=1">'
    yield f"<title>{lab['title']}</title><style>{CSS}</style></head><body><main>\n"
    yield from _overview(summary, ranked.count, lab)
    yield from _ranking(ranked.candidates(), lab)
    yield from _heatmap(summary, ranked, lab, qnum)
    yield from _difficulty(summary, lab, qnum)
    yield from _integrity(summary, ranked, lab, qnum)
    yield from _groups(summary, lab, qnum)
    yield from _details(summary, details, stats, lab, qnum, shown)
    yield "</main></body></html>\n"


def _overview(s: Summary, count: int, lab: dict[str, str]) -> Iterator[str]:
    yield f'<h1>{lab["title"]}</h1><p class="sub">{s.rows} {lab["answers"]} · {count} '
    yield f"{lab['candidates']} · {len(s.questions)} {lab['questions']} · {lab['mode']} {_t(s.mode)}</p>"
    cards = [(_pct(s.mean), lab["mean"]), (s.graded, lab["graded"]), (s.blank, lab["blank"]), (s.errors, lab["errors"])]
    if s.unscored:
        cards.append((s.unscored, lab["unscored"]))
    yield '<div class="cards">' + "".join(f"<div class=card><b>{v}</b><span>{k}</span></div>" for v, k in cards)
    yield "</div>\n"
    if s.error_reasons:
        items = "".join(f"<li>{_t(reason_text(r, s.lang))}: {n}</li>" for r, n in s.error_reasons.items())
        yield f'<p class=note>{lab["reasons"]}:</p><ul class="missed" id=reasons>{items}</ul>\n'


def _ranking(candidates: Iterable[CandidateStats], lab: dict[str, str]) -> Iterator[str]:
    yield f"<h2 id=ranking>{lab['ranking']}</h2><p class=note>{lab['rank_note']}</p>"
    yield f"<div class=panel><table><tr><th>#</th><th>{lab['candidate']}</th><th>{lab['avg']}</th><th></th>"
    yield f"<th>{lab['total']}</th><th>{lab['asked']}</th><th>{lab['blank']}</th><th>{lab['errors']}</th></tr>"
    for c in candidates:
        yield (
            f'<tr class=cand-row><td class=num>{c.rank}</td><td><a href="#c{c.rank}">{_t(c.candidate) or "—"}</a></td>'
            f"<td class='num mean'>{_pct(c.mean)}</td><td>{_bar(c.mean)}</td><td class=num>{round(c.total * 100)}</td>"
            f"<td class=num>{c.asked}</td><td class=num>{len(c.blank) or ''}</td>"
            f"<td class=num>{c.errors or ''}</td></tr>\n"
        )
    yield "</table></div>\n"


def _heatmap(s: Summary, people: Ranked, lab: dict[str, str], qnum: dict[str, int]) -> Iterator[str]:
    head = "".join(f'<th title="{_t(q.question)}">Q{qnum[q.id]}</th>' for q in s.questions)
    yield f"<h2 id=heatmap>{lab['heatmap']}</h2><p class=note>{lab['legend']}</p>"
    yield f"<div class=panel><table class=heat><tr><th class=name></th>{head}</tr>\n"
    for c in islice(people.candidates(), HEATMAP_MAX_CANDIDATES):
        blank, failed, twice = set(c.blank), set(c.failed), set(c.repeated)
        cells = [_cell(q.id, c.scores.get(q.id), q.id in blank, q.id in failed, q.id in twice, lab)
                 for q in s.questions]  # fmt: skip
        yield f'<tr><td class=name><a href="#c{c.rank}">{_t(c.candidate) or "—"}</a></td>{"".join(cells)}</tr>\n'
    yield "</table></div>"
    if people.count > HEATMAP_MAX_CANDIDATES:
        yield f"<p class=note>{lab['heat_clipped'].format(n=HEATMAP_MAX_CANDIDATES)}</p>"
    keys = " · ".join(f"<b>Q{qnum[q.id]}</b> {_t(q.question or q.id)}" for q in s.questions)
    yield f"<p class=qkey>{keys}</p>\n"


def _cell(qid: str, v: float | None, blank: bool, failed: bool, twice: bool, lab: dict[str, str]) -> str:
    """A heat-map cell: a score, a blank answer, an answer that could not be graded, or a question not asked."""
    if blank:
        return f"<td class='cell blank' title=\"{_t(qid)}\">{lab['cell_blank']}</td>"
    if v is None and failed:
        return f"<td class='cell failed' title=\"{_t(qid)}\">{lab['cell_error']}</td>"
    if v is None:
        return f"<td class='cell none' title=\"{lab['cell_none']}\">·</td>"
    mark = "<sup>×2</sup>" if twice else ""
    title = f"{_t(qid)} · {lab['cell_twice'].format(n='2+')}" if twice else _t(qid)
    return f'<td class=cell style="background:{_heat(v)}" title="{title}">{_pct(v)}{mark}</td>'


def _difficulty(s: Summary, lab: dict[str, str], qnum: dict[str, int]) -> Iterator[str]:
    yield f"<h2 id=difficulty>{lab['difficulty']}</h2><div class=panel><table><tr><th>#</th><th>{lab['question']}</th>"
    yield f"<th>{lab['answered']}</th><th>{lab['avg']}</th><th></th><th>{lab['range']}</th>"
    yield f"<th>{lab['missed']}</th></tr>"
    for q in sorted(s.questions, key=lambda q: (q.mean if q.mean is not None else 2, qnum[q.id])):
        missed = "".join(f"<li><span class=pct>{_pct(m.missed)}%</span> {_t(m.text)}</li>" for m in q.most_missed)
        rng = "—" if q.min is None else f"{_pct(q.min)}–{_pct(q.max)}"
        yield (
            f"<tr><td class=num>Q{qnum[q.id]}</td><td>{_t(q.question or q.id)}<div class=note>{_t(q.id)}</div></td>"
            f"<td class=num>{q.answers}</td><td class=num>{_pct(q.mean)}</td><td>{_bar(q.mean)}</td>"
            f"<td class=num>{rng}</td><td><ul class=missed>{missed}</ul></td></tr>\n"
        )
    yield "</table></div>\n"


def _integrity(s: Summary, people: Ranked, lab: dict[str, str], qnum: dict[str, int]) -> Iterator[str]:
    names = FLAGS.get(s.lang, FLAGS["en"])
    yield f"<h2 id=integrity>{lab['integrity']}</h2><p class=note>{lab['integrity_note']}</p>"
    yield "<ul class=missed>" + "".join(f"<li><b>{n}</b>: {why}</li>" for n, why in names.values()) + "</ul>"
    if not people.any_flagged():
        yield f"<p class=note>{lab['integrity_none']}</p>\n"
        return
    yield f"<div class=panel><table><tr><th>{lab['flag']}</th><th>{lab['question']}</th><th>{lab['who']}</th>"
    yield f"<th>{lab['rows']}</th></tr>"
    for f in people.flagged():
        name = names.get(f.flag, (f.flag, ""))[0]
        q = f"Q{qnum[f.question_id]}" if f.question_id in qnum else _t(f.question_id)
        yield (f"<tr class='flagged {f.flag}'><td><span class=flag>{name}</span></td><td>{q}</td>"
               f"<td>{_t(', '.join(f.candidates))}</td><td>{_t(', '.join(f.ids))}</td></tr>\n")  # fmt: skip
    yield "</table></div>\n"


def _groups(s: Summary, lab: dict[str, str], qnum: dict[str, int]) -> Iterator[str]:
    yield f"<h2 id=groups>{lab['groups']}</h2><p class=note>{lab['groups_note']}</p>"
    for q in s.questions:
        if not q.groups:
            continue
        yield f"<h3>Q{qnum[q.id]} · {_t(q.question or q.id)}</h3><div class=panel><table>"
        yield f"<tr><th>{lab['group_size']}</th><th>{lab['avg']}</th><th>{lab['group_first']}</th></tr>"
        for g in q.groups:
            text = lab["blank_group"] if not g.answer.strip() else g.answer
            yield (f"<tr class=group><td class=num>{g.size}</td><td class=num>{_pct(g.score)}</td><td>"
                   f"<div class=note>{lab['covered_n'].format(n=len(g.covered))} · {_t(g.candidate) or '—'}</div>"
                   f'<div class="text" dir="auto">{_t(text)}</div></td></tr>\n')  # fmt: skip
        yield "</table></div>\n"


def _details(s: Summary, details: Iterable[dict[str, Any]], rank: dict[str, CandidateStats], lab: dict[str, str],
             qnum: dict[str, int], shown: int) -> Iterator[str]:  # fmt: skip
    yield f"<h2 id=details>{lab['details']}</h2>"
    if shown < s.rows:
        yield f"<p class=note>{lab['shown'].format(n=shown, total=s.rows)}</p>"
    texts = {q.id: q.question for q in s.questions}
    is_open = " open" if shown <= 200 else ""
    for cand, records in groupby(details, key=lambda r: r.get("candidate") or ""):
        c = rank.get(cand)
        anchor = f' id="c{c.rank}"' if c else ""
        score = f' <span class="badge" style="background:{_colour(c.mean)}">{_pct(c.mean)}</span>' if c else ""
        yield f'<details class="cand"{anchor}{is_open}><summary>{score}{_t(cand) or "—"}</summary>\n'
        for r in records:
            yield _answer(r, lab, texts, qnum, s.lang)
        yield "</details>\n"


def _answer(r: dict[str, Any], lab: dict[str, str], texts: dict[str, str], qnum: dict[str, int], lang: str) -> str:
    qid = r.get("question_id") or ""
    num = f"Q{qnum[qid]} · " if qid in qnum else ""
    title = f"{num}{_t(texts.get(qid) or qid)}"
    if r.get("error"):
        return (f'<div class="ans"><h3><span class="badge" style="background:#9aa1ad">—</span>{title}</h3>'
                f"<div class=err>{lab['error']}: {_t(reason_text(reason_of(r['error']), lang))}</div>"
                f"<div class=note>id {_t(r.get('id'))}, {lab['line']} {_t(r.get('line'))}</div></div>\n")  # fmt: skip
    score = r.get("score")
    parts = [f'<div class="ans"><h3><span class="badge" style="background:{_colour(score)}">{_pct(score)}</span>']
    parts.append(title + "".join(f" <span class=flag>{_t(flag_text(f, lang))}</span>" for f in r.get("flags", []))
                 + "</h3>")  # fmt: skip
    parts.append(_highlighted(r.get("answer") or "", r.get("points", []), lab))
    parts.append("<ul class=points>")
    for p in r.get("points", []):
        hint = f"<div class=hint>{_t(p.get('hint'))}</div>" if p["status"] != "covered" and p.get("hint") else ""
        parts.append(f'<li class="{p["status"]}"><span class=st>{_MARK.get(p["status"], "?")}</span>'
                     f"{_t(p['text'])}{hint}</li>")  # fmt: skip
    parts.append(f"</ul><div class=fb>{_t(r.get('feedback'))}</div></div>\n")
    return "".join(parts)


def _highlighted(answer: str, points: list[dict[str, Any]], lab: dict[str, str]) -> str:
    """The answer with evidence spans in <mark> (title: the point they support); offsets index the raw answer."""
    text = visible(answer)  # one for one, so span offsets still hold
    clipped = len(text) > ANSWER_MAX
    view = text[:ANSWER_MAX]
    spans = sorted(
        (e["start"], e["end"], p["text"], p["status"])
        for p in points for e in p.get("evidence", []) if 0 <= e["start"] < e["end"] <= len(view)
    )  # fmt: skip
    out, pos = [], 0
    for start, end, ptext, status in spans:
        if start < pos:
            continue  # overlapping evidence: the first span shown wins
        out.append(html.escape(view[pos:start]))
        cls = ' class="partial"' if status == "partial" else ""
        out.append(f'<mark{cls} title="{_t(ptext)}">{html.escape(view[start:end])}</mark>')
        pos = end
    out.append(html.escape(view[pos:]))
    note = f"<div class=note>{lab['clipped'].format(n=ANSWER_MAX, total=len(text))}</div>" if clipped else ""
    empty = "" if spans else f"<div class=note>{lab['no_evidence']}</div>"
    return f'<div class="text" dir="auto">{"".join(out)}</div>{note}{empty}'
