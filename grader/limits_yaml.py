"""Parsing YAML within the limits of `grader.limits` (aliases, nodes with aliases expanded, nesting), so that a
small hostile file cannot make the grader hang or eat memory.

Apart from `grader.limits` so that only what reads YAML imports PyYAML: a lexical `grader grade` whose bank files
are cached (`grader.bank.parsed`) starts without it.
"""

from __future__ import annotations

from typing import Any

import yaml

from grader.limits import limit, too_big

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlTooBig(yaml.YAMLError):
    """A YAML document over the alias or node limit (an alias bomb)."""

    fix = "Write the values out instead of repeating them with aliases (*name), or raise the limit"

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (safe tags only), refused when its aliases or its size with aliases
    expanded are over the limits. Raises `yaml.YAMLError` (deep nesting included)."""
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except RecursionError:
        raise YamlTooBig("nested too deeply") from None
    finally:
        loader.dispose()
    if node is not None:
        _check_size(node)
    return node


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely (see `compose_yaml`)."""
    node = compose_yaml(text)
    if node is None:
        return None
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except RecursionError:
        raise YamlTooBig("nested too deeply") from None
    finally:
        loader.dispose()


def _check_size(root: yaml.Node) -> None:
    """Count aliases (a node reached again) and the nodes the document stands for with aliases expanded, without
    expanding them: a depth-first walk computes each distinct node's expanded size once."""
    max_aliases, max_nodes = limit("GRADER_MAX_YAML_ALIASES"), limit("GRADER_MAX_YAML_NODES")
    size: dict[int, int] = {}
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            size[key] = total = 1 + sum(size[id(k)] for k in _children(node))
            if total > max_nodes:
                raise YamlTooBig(too_big("the document with its aliases expanded", total, "GRADER_MAX_YAML_NODES"))
        elif key in seen:
            if key not in size:  # seen, not finished: an ancestor
                raise YamlTooBig("an alias refers to a node that contains it")
            aliases += 1
            if aliases > max_aliases:
                raise YamlTooBig(too_big("the number of aliases (*name)", aliases, "GRADER_MAX_YAML_ALIASES"))
        else:
            seen.add(key)
            stack.append((node, True))
            stack.extend((kid, False) for kid in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
