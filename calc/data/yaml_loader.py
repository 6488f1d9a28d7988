"""PyYAML behind capcalc's reading and writing of YAML: the bounded safe loader, the dumper.

:func:`calc.data.io.parse_yaml` and :func:`calc.data.io.dump_yaml` are the
entry points; they import this module only when a document is really read or
written, so a command answered from the cache of capcalc's own files
(:mod:`calc.data.cache`) does not load PyYAML at all. The loader is PyYAML's
safe loader, typing plain scalars as YAML 1.2 types them (no octal ``010``, base
60 ``1:30`` or ``yes``/``no`` booleans), with limits on nesting, values and
aliases so a hostile file costs bounded work; the dumper quotes text either
YAML version would type.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from calc.core.errors import CapcalcError

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_NODES", "dump_document", "load_document"]

# Limits on what one YAML document may cost (its size is limited by calc.data.io before it
# gets here). capcalc's own files hold under 2,000 values; PyYAML reads some 20,000-50,000
# values a second.
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_NODES = 20_000


class _Refused(yaml.YAMLError):
    """A document capcalc refuses to read whole: past a size, depth or alias limit."""


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        # Per open node, the height of its tallest finished child; its length is the depth.
        self._open: list[int] = []
        # Finished nodes by id: (values they stand for with aliases expanded, height).
        self._done: dict[int, tuple[int, int]] = {}
        self._values = 0

    def _count(self, mark: Any, values: int, height: int) -> None:
        """Add a finished node (or an alias to one) to the totals; refuse past the limits."""
        self._values += values
        if self._values > MAX_NODES:
            raise _Refused(
                f"line {mark.line + 1}: more than {MAX_NODES:,} values"
                + (" (an alias counts as all it stands for)" if self._aliases else "")
                + "; capcalc files are far smaller"
            )
        if len(self._open) + height > MAX_DEPTH:
            raise _Refused(
                f"line {mark.line + 1}: nesting deeper than {MAX_DEPTH} levels"
                + (" (aliases expanded)" if height > 1 else "")
            )
        if self._open:
            self._open[-1] = max(self._open[-1], height)

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (*name); "
                    "capcalc files have no need of them"
                )
            node = super().compose_node(parent, index)
            if id(node) not in self._done:
                raise _Refused(f"line {mark.line + 1}: an alias inside its own anchor")
            self._count(mark, *self._done[id(node)])
            return node
        if len(self._open) >= MAX_DEPTH:
            raise _Refused(f"line {mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        before = self._values
        self._open.append(0)
        node = super().compose_node(parent, index)
        height = 1 + self._open.pop()
        self._count(mark, 1, height)
        self._done[id(node)] = (self._values - before, height)
        return node

    def construct_yaml_int(self, node: Any) -> int:
        """A decimal integer only: ``!!int 010`` or ``!!int 1:30`` would be octal or base 60."""
        text = str(self.construct_scalar(node))
        if not _DECIMAL_INT.match(text):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a decimal integer; write the number itself "
                "(without a leading zero, base-60 groups or a base prefix)", node.start_mark)
        try:
            return int(text)
        except ValueError:  # Python refuses to read integers of more than 4,300 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {len(node.value):,} digits is too long to read",
                node.start_mark,
            ) from None

    def construct_yaml_float(self, node: Any) -> float:
        """A YAML 1.2 float only: ``!!float 1:30`` would be base 60."""
        text = str(self.construct_scalar(node))
        if ":" in text or "_" in text:
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not a decimal number; write the number itself",
                node.start_mark)
        return float(super().construct_yaml_float(node))

    def construct_yaml_bool(self, node: Any) -> bool:
        """``true`` or ``false`` only: YAML 1.1's yes, no, on and off are text here."""
        text = str(self.construct_scalar(node))
        if text.lower() not in ("true", "false"):
            raise yaml.constructor.ConstructorError(
                None, None, f"{text[:40]!r} is not true or false", node.start_mark)
        return text.lower() == "true"

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """Dates stay text as written (``as_of: 2024-08-01`` is the text ``'2024-08-01'``)."""
        return self.construct_scalar(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.YAMLError(
                    f"line {key_node.start_mark.line + 1}: a key must be plain text"
                )
            if key in seen:
                raise yaml.YAMLError(
                    f"line {key_node.start_mark.line + 1}: duplicate key {key!r}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_map(loader: _BoundedSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    return loader.construct_mapping(node, deep=True)


_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:int",
                                   _BoundedSafeLoader.construct_yaml_int)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:float",
                                   _BoundedSafeLoader.construct_yaml_float)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:bool",
                                   _BoundedSafeLoader.construct_yaml_bool)
_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                   _BoundedSafeLoader.construct_yaml_timestamp)

# Plain scalars are typed as YAML 1.2's core schema types them, not as PyYAML's YAML 1.1:
# no octal (010), base 60 (1:30), yes/no/on/off booleans, timestamps or `=`. Text that
# YAML 1.1 would have read as a number stays text, so where a number is expected the
# loaders refuse it naming the key (calc.data.units.parse_quantity says why).
_DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_YAML12 = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),  # kept only to refuse it by name
]
_BoundedSafeLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _YAML12:
    _BoundedSafeLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _QuotingSafeDumper(yaml.SafeDumper):
    """SafeDumper that quotes text which YAML 1.2 (capcalc) *or* YAML 1.1 would type.

    PyYAML's dumper quotes only what YAML 1.1 reads as a number, so text such as
    ``1e400`` would be written plain and read back by capcalc as a float.
    """


_QuotingSafeDumper.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in _YAML12:
    _QuotingSafeDumper.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


#: Characters YAML 1.1 (PyYAML) takes for a line break and YAML 1.2 does not
#: (:data:`calc.data.io._ODD_BREAK` refuses a file holding one raw).
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def _represent_text(dumper: _QuotingSafeDumper, text: str) -> yaml.ScalarNode:
    """Text holding a character YAML 1.1 takes for a line break, double-quoted.

    In double quotes the emitter writes it as an escape (``\\N``, ``\\L``, ``\\P``);
    in any other style it would be written raw, and :func:`calc.data.io.parse_yaml`
    refuses a file holding one raw.
    """
    node: yaml.ScalarNode = dumper.represent_str(text)
    if _ODD_BREAK.search(text):
        node.style = '"'
    return node


_QuotingSafeDumper.add_representer(str, _represent_text)


def dump_document(document: Any, *, width: int = 100) -> str:
    """``document`` as YAML text (:func:`calc.data.io.dump_yaml` says how)."""
    return yaml.dump(document, Dumper=_QuotingSafeDumper, sort_keys=False,
                     allow_unicode=True, width=width)


def load_document(text: str, *, source: str) -> Any:
    """The one YAML document ``text`` holds, read by the bounded safe loader.

    Raises
    ------
    CapcalcError
        One line naming ``source`` and, where known, the line number.
    """
    try:
        loader = _BoundedSafeLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "\\t" in what or "'\\t'" in str(exc):
            what += " (YAML indents with spaces, not tabs)"
        if "found another document" in what:
            what = ("the file holds more than one YAML document (a line `---` starts another); "
                    "capcalc reads one: put every scenario in one document, under "
                    "`scenarios:` for several")
        if what.startswith("could not determine a constructor for the tag"):
            tag = what.rsplit(" ", 1)[-1]
            what = (f"the tag {tag} is not read; capcalc files hold plain numbers, text, "
                    "lists and mappings" + (" (write merged keys out)" if "merge" in tag else ""))
        raise CapcalcError(f"{where}malformed YAML: {what}", file=source) from None
    except _Refused as exc:
        raise CapcalcError(str(exc), file=source) from None
    except yaml.YAMLError as exc:
        raise CapcalcError(f"malformed YAML: {exc}", file=source) from None
    except RecursionError:
        raise CapcalcError(
            f"nesting deeper than {MAX_DEPTH} levels", file=source
        ) from None
