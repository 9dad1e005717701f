"""Questions from a Telegram channel: its text dump (copied from the web view) or a Telegram Desktop export.

A post is a question when it has a question paragraph and an answer under it. In the text dump, a post ends with
its hashtag lines and, when it has one, a reaction line (`👍4`, `4👍2`); the channel header above "Download
Telegram" is skipped. `#глубокое обучение` and `#глубокое_обучение` are one tag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from grader.engine.text import STOPWORDS, detect_lang, is_stopword, tokenize
from grader.errors import InvalidFile
from grader.limits import json_loads, json_problem, read_file
from grader.models import Model, Question, Source

_REACTION = re.compile(r"^(?=.*\d)[^\w#]*(?:\d+[^\w\s#]+\d*|[^\w\s#]+\d+)[\s\d\W]*$")
_HEADER_END = "Download Telegram"
_QUESTION_WORDS = frozenset(
    """что такое как какие какой каких каким чем зачем почему опишите объясните расскажите перечислите
        назовите знаете вы вам бы коротко означает случаях лучше используются про""".split()
)
_SLUG_SKIP = frozenset(["a", "an", "the", "of", "is", "are", "what", "how", "why", "do", "you"])
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        """a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya""".split(),
        strict=True,
    )
)


class Post(Model):
    number: int
    text: str
    tags: list[str] = []


def normalise_tag(tag: str) -> str:
    """'#Глубокое обучение' -> 'глубокое_обучение'."""
    return re.sub(r"[\s_]+", "_", tag.strip().lstrip("#").strip().lower())


def _is_reaction(line: str) -> bool:
    return bool(_REACTION.match(line.strip()))


def parse_dump(text: str) -> tuple[str, list[Post]]:
    """Channel name and posts of a channel text dump."""
    lines = text.replace("\r\n", "\n").split("\n")
    channel = lines[0].strip() if lines else ""
    header_end = next((i for i, ln in enumerate(lines) if ln.strip() == _HEADER_END), None)
    body = lines[header_end + 1 :] if header_end is not None else lines
    if header_end is None:
        channel = ""
    posts: list[Post] = []
    current: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        content = "\n".join(current).strip()
        if content:
            posts.append(Post(number=len(posts) + 1, text=content, tags=list(dict.fromkeys(tags))))
        current.clear()
        tags.clear()

    for line in body:
        stripped = line.strip()
        if stripped.startswith("#") and len(stripped) > 1:
            tags.extend(normalise_tag(t) for t in re.split(r"\s(?=#)", stripped) if t.strip("# "))
            continue
        if _is_reaction(stripped):
            if current or tags:
                flush()
            continue
        if tags and stripped:  # hashtags closed the previous post and no reaction line followed
            flush()
        current.append(line)
    flush()
    return channel, posts


def _entity_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict):
        return str(part.get("text", ""))
    return ""


def parse_export(data: dict[str, Any], path: str = "result.json") -> tuple[str, list[Post]]:
    """Channel name and posts of a Telegram Desktop export (`result.json`)."""
    if not isinstance(data, dict):
        raise InvalidFile("the top level is not a JSON object", where=path,
                          fix="Export the channel from Telegram Desktop as JSON (its result.json)")  # fmt: skip
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise InvalidFile("no 'messages' list", where=path, fix="Export the channel from Telegram Desktop as JSON")
    posts: list[Post] = []
    for msg in messages:
        if not isinstance(msg, dict) or msg.get("type", "message") != "message":
            continue
        raw = msg.get("text", "")
        parts = raw if isinstance(raw, list) else [raw]
        text = "".join(_entity_text(p) for p in parts)
        is_tag_line = [ln.strip().startswith("#") and bool(ln.strip().lstrip("#")) for ln in text.split("\n")]
        tag_lines = [ln.strip() for ln, tag in zip(text.split("\n"), is_tag_line, strict=True) if tag]
        lines = [ln for ln, tag in zip(text.split("\n"), is_tag_line, strict=True) if not tag]
        # A hashtag line is read whole, as in the text dump ("#машинное обучение" is one tag, though Telegram's own
        # entity stops at the space); hashtag entities inside the body are tags too.
        tags = [normalise_tag(t) for ln in tag_lines for t in re.split(r"\s(?=#)", ln) if t.strip("# ")]
        tags += [
            normalise_tag(_entity_text(p))
            for p in parts
            if isinstance(p, dict) and p.get("type") == "hashtag" and not any(_entity_text(p) in ln for ln in tag_lines)
        ]
        body = "\n".join(lines).strip()
        if body:
            number = msg.get("id")
            posts.append(
                Post(
                    number=int(number) if isinstance(number, int) else len(posts) + 1,
                    text=body,
                    tags=list(dict.fromkeys(tags)),
                )
            )
    return str(data.get("name", "")), posts


def slugify(text: str, max_words: int = 5) -> str:
    """A readable ASCII id from a question: transliterated content words."""
    words = []
    for w in re.findall(r"[^\W_]+", text.lower()):
        if w in _QUESTION_WORDS or w in STOPWORDS["ru"] or w in _SLUG_SKIP:
            continue
        words.append("".join(_TRANSLIT.get(ch, ch) for ch in w.replace("ё", "е")).replace("_", ""))
        if len(words) == max_words:
            break
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words)).strip("-")
    return slug or "question"


def post_to_question(post: Post, channel: str) -> Question | None:
    """The question of a post: its first paragraph; the rest is the reference. None for posts that are no Q&A."""
    text = post.text.strip()
    head, sep, rest = text.partition("\n")
    if not sep or not rest.strip() or len(rest.strip()) < 40:
        return None
    question = head.strip()
    reference = re.sub(r"\n{3,}", "\n\n", rest.strip("\n")).strip()
    return Question(
        id=slugify(question),
        question=question,
        reference=reference,
        tags=post.tags,
        lang=detect_lang(question + "\n" + reference),
        source=Source(channel=channel or "telegram", post=post.number),
    )


def _stems(text: str) -> set[str]:
    toks = tokenize(text)
    return {s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n) and n not in _QUESTION_WORDS}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def link_related(questions: Sequence[Question], threshold: float = 0.34) -> list[Question]:
    """Mark near-duplicate questions as related to each other (by their questions' content words)."""
    stems = [_stems(q.question) for q in questions]
    related: dict[int, list[str]] = {i: list(q.related) for i, q in enumerate(questions)}
    for i in range(len(questions)):
        for j in range(i + 1, len(questions)):
            if _jaccard(stems[i], stems[j]) >= threshold:
                related[i].append(questions[j].id)
                related[j].append(questions[i].id)
    return [q.model_copy(update={"related": sorted(set(related[i]))}) for i, q in enumerate(questions)]


def _unique_ids(questions: Iterable[Question]) -> list[Question]:
    seen: dict[str, int] = {}
    out = []
    for q in questions:
        n = seen.get(q.id, 0)
        seen[q.id] = n + 1
        out.append(q if n == 0 else q.model_copy(update={"id": f"{q.id}-{n + 1}"}))
    return out


def read_questions(path: Path) -> list[Question]:
    """Questions from a channel dump (.txt) or a Telegram Desktop export (.json, or the folder holding it)."""
    if path.is_dir():
        path = path / "result.json"
    raw = read_file(path, "channel dump or export")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidFile(f"not UTF-8 text (byte {exc.start})", where=str(path), fix="Save it as UTF-8") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = json_loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidFile(f"invalid JSON: {exc.msg}", where=f"{path}:{exc.lineno}") from None
        except ValueError as exc:
            raise InvalidFile(f"invalid JSON: {json_problem(exc)}", where=str(path)) from None
        channel, posts = parse_export(data, str(path))
    else:
        channel, posts = parse_dump(text)
    questions = [q for q in (post_to_question(p, channel) for p in posts) if q is not None]
    return link_related(_unique_ids(questions))
