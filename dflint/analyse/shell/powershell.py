"""PowerShell scripts read with tree-sitter-powershell."""

from __future__ import annotations

from functools import partial

from dflint.analyse.shell._ts import ByteOffsets, FlatWalk, read_tree
from dflint.analyse.shell.model import (
    Assignment,
    Command,
    Condition,
    ConditionKind,
    Feature,
    Script,
    VariableRef,
    Word,
)
from dflint.analyse.shell.source import SourceMap

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from tree_sitter import Node


_LOOPS = frozenset({"while_statement", "foreach_statement", "for_statement", "do_statement"})
_SCOPES = ("global:", "script:", "local:", "private:", "using:")


def parse_powershell(text: str, source: SourceMap, origin: str) -> Script:
    return read_tree(Script("powershell", origin, text, source), "powershell", _Walker)


def unquote(text: str) -> tuple[str, list[int]]:
    """A PowerShell argument without its quotes, with each character's offset in ``text``."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        quote = text[0]
        out: list[str] = []
        offsets: list[int] = []
        index = 1
        while index < len(text) - 1:
            char = text[index]
            inner = index + 1 < len(text) - 1
            # '' inside '…' and "" or `x inside "…" stand for one character
            doubled = char == quote and text[index + 1] == quote
            if inner and (doubled or (quote == '"' and char == "`")):
                index += 1
            out.append(text[index])
            offsets.append(index)
            index += 1
        return "".join(out), offsets
    return text, list(range(len(text)))


def variable_parts(text: str) -> tuple[str, bool]:
    """(name, is an environment variable) of ``$x``, ``$env:X``, ``${env:X}``, ``$script:x``."""
    name = text[1:] if text.startswith("$") else text
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    lowered = name.lower()
    if lowered.startswith("env:"):
        return name[4:], True
    for scope in _SCOPES:
        if lowered.startswith(scope):
            return name[len(scope) :], False
    return name, False


# The node kinds :meth:`_Walker.visit` reads itself (the others it only descends into).
_HANDLED = frozenset(
    {
        "command",
        "variable",
        "braced_variable",
        "assignment_expression",
        "if_statement",
        "switch_statement",
        "pipeline",
        "verbatim_string_characters",
        "verbatim_here_string_characters",
        "ERROR",
        *_LOOPS,
    }
)


class _Walker(FlatWalk):
    __slots__ = ("offsets", "script")

    def __init__(self, script: Script, offsets: ByteOffsets) -> None:
        super().__init__()
        self.script = script
        self.offsets = offsets

    def range(self, node: Node) -> tuple[int, int]:
        return self.offsets.char(node.start_byte), self.offsets.char(node.end_byte)

    def text(self, node: Node) -> str:
        start, end = self.range(node)
        return self.script.text[start:end]

    def condition(
        self, kind: ConditionKind, nodes: list[Node], pattern: str | None = None
    ) -> Condition:
        named = [node for node in nodes if node.is_named]
        if not named:
            return Condition(kind, "", pattern, 0, 0, self.script.map)
        start, end = self.range(named[0])[0], self.range(named[-1])[1]
        text = self.script.text[start:end]
        return Condition(kind, text, pattern, start, end, self.script.map)

    def visit(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        kind = node.type
        if kind == "command":
            self.command(node, conditions)
        elif kind in ("variable", "braced_variable"):
            self.variable(node)
        elif kind == "assignment_expression":
            self.assignment(node, conditions)
        elif kind == "if_statement":
            self.if_statement(node, conditions)
        elif kind == "switch_statement":
            self.switch(node, conditions)
        elif kind in _LOOPS:
            self.loop(node, conditions)
        elif kind == "pipeline":
            self.pipeline(node, conditions)
        else:
            if kind in ("verbatim_string_characters", "verbatim_here_string_characters"):
                self.script.literal_ranges.append(self.range(node))
            elif kind == "ERROR":
                self.script.errors = True
            self.children(node, conditions)

    def children(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        for child in node.named_children:
            # A node no branch above handles with a single child (the grammar's chains of
            # expression levels: unary in multiplicative in additive in ...) holds nothing to
            # read but that child: go straight down to it.
            while child.child_count == 1 and child.type not in _HANDLED:
                child = child.children[0]
                if not child.is_named:
                    break
            else:
                # a leaf that no branch above handles holds nothing to read: not queued at all
                if child.child_count or child.type in _HANDLED:
                    self.walk(child, conditions)

    def command(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        name_node: Node | None = None
        elements: list[Node] = []
        for child in node.children:
            kind = child.type
            if kind in ("command_name", "command_name_expr") and name_node is None:
                name_node = child
            elif kind == "command_elements":
                elements.extend(
                    item
                    for item in child.children
                    if item.is_named
                    and item.type != "command_argument_sep"
                    and "redirection" not in item.type
                )
        if name_node is None:
            self.children(node, conditions)
            return
        words: list[Word] = []
        for element in elements:
            start, end = self.range(element)
            text = self.script.text[start:end]
            words.append(Word(text, unquote(text)[0], start, end, self.script.map))
        start, end = self.range(node)
        name_start, name_end = self.range(name_node)
        name = unquote(self.script.text[name_start:name_end])[0]
        self.script.commands.append(
            Command(
                name=name,
                words=tuple(words),
                start=start,
                end=end,
                name_start=name_start,
                name_end=name_end,
                conditions=conditions,
                env=(),
                source=self.script.map,
            )
        )
        self.children(node, conditions)

    def variable(self, node: Node) -> None:
        start, end = self.range(node)
        text = self.script.text[start:end]
        name, env = variable_parts(text)
        self.script.variables.append(
            VariableRef(name, "ps-env" if env else "ps", text, start, end, self.script.map)
        )

    def assignment(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        left = node.children[0] if node.children else None
        value_nodes = node.children[2:] if len(node.children) > 2 else []
        if left is not None:
            target = (left.text or b"").decode("utf-8", errors="replace").strip()
            if target.startswith("$"):
                name, env = variable_parts(target)
                start, end = self.range(node)
                value = "".join(self.text(item) for item in value_nodes)
                self.script.assignments.append(
                    Assignment(name, value, start, end, conditions, env, self.script.map)
                )
        self.children(node, conditions)

    def if_statement(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        tests: list[Condition] = []
        self.branch(node, conditions, tests)

    def branch(self, node: Node, conditions: tuple[Condition, ...], tests: list[Condition]) -> None:
        """An ``if`` or ``elseif``: ``( test ) { body }`` then elseif/else clauses."""
        test_nodes: list[Node] = []
        inside = False
        current: Condition | None = None
        outer = conditions
        if node.type == "elseif_clause" and tests:
            outer = (*conditions, self.excluding(tests))
        for child in node.children:
            kind = child.type
            if kind == "(":
                inside = True
            elif kind == ")":
                inside = False
                for item in test_nodes:
                    self.walk(item, outer)
                current = self.condition("if", test_nodes)
                tests.append(current)
            elif inside:
                test_nodes.append(child)
            elif kind == "statement_block" and current is not None:
                self.walk(child, (*outer, current))
            elif kind == "elseif_clauses":
                for clause in child.children:
                    if clause.type == "elseif_clause":
                        self.branch(clause, conditions, tests)
            elif kind == "elseif_clause":
                self.branch(child, conditions, tests)
            elif kind == "else_clause":
                self.children(child, (*conditions, self.excluding(tests)))

    def excluding(self, tests: list[Condition]) -> Condition:
        text = " ; ".join(test.test for test in tests)
        start, end = tests[0].start, tests[-1].end
        return Condition("else", text, None, start, end, self.script.map)

    def switch(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        subject: list[Node] = []
        for child in node.children:
            if child.type == "switch_condition":
                subject = [item for item in child.children if item.is_named]
                for item in subject:
                    self.walk(item, conditions)
            elif child.type == "switch_body":
                for clause in _descendants(child, "switch_clause"):
                    pattern = ""
                    for part in clause.children:
                        if part.type == "switch_clause_condition":
                            pattern = unquote(self.text(part))[0]
                        elif part.is_named:
                            inner = (*conditions, self.condition("switch", subject, pattern))
                            self.walk(part, inner)

    def loop(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        header: list[Node] = []
        for child in node.children:
            if child.type == "statement_block":
                self.walk(child, (*conditions, self.condition("loop", header)))
            elif child.is_named:
                header.append(child)
                self.walk(child, conditions)

    def pipeline(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        # `a && b` / `a || b` (PowerShell 7 only): what follows runs only after the left side.
        before: list[Node] = []
        guard: tuple[Condition, ...] = conditions
        for child in node.children:
            if child.type == "pipeline_chain_tail":
                operator = child.children[0].type if child.children else "&&"
                kind: ConditionKind = "and" if operator == "&&" else "or"
                guard = (*conditions, self.condition(kind, before[-1:]))
                start, end = self.range(child)
                feature = Feature(
                    f"pipeline chain operator {operator}",
                    self.script.text[start:end],
                    start,
                    end,
                    self.script.map,
                )
                # after what the left side holds, as a recursive walk would record it
                self.later(partial(self.script.features.append, feature))
                continue
            if child.is_named:
                before.append(child)
                self.walk(child, guard)


def _descendants(node: Node, kind: str) -> list[Node]:
    found: list[Node] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if item.type == kind:
            found.append(item)
            continue
        stack.extend(reversed(item.children))
    return found
