"""POSIX shell scripts (sh, bash, ash, dash) read with tree-sitter-bash.

tree-sitter-bash accepts bash, a superset of POSIX sh, so the reader also records the bash
features a script uses (``[[``, arrays, ``<(…)``, ``$'…'``, …) for rules about ``/bin/sh``.
"""

from __future__ import annotations

from dflint import lazyre
from dflint.analyse.shell._ts import ByteOffsets, FlatWalk, read_tree
from dflint.analyse.shell.model import (
    Arm,
    Assignment,
    Choice,
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
    from typing import Any, Literal

    from tree_sitter import Node


_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
# Tokens of the grammar: nodes that never have children, so the walk need not visit them.
_LEAVES = frozenset(
    {
        "word",
        "variable_name",
        "special_variable_name",
        "string_content",
        "regex",
        "extglob_pattern",
        "test_operator",
        "comment",
        "heredoc_start",
        "heredoc_end",
        "heredoc_content",
        "file_descriptor",
    }
)
_DECLARATIONS = frozenset({"export", "declare", "local", "readonly", "typeset"})
# ${x:0:3}, ${x/a/b}, ${!x}, ${x^^}: bash and ksh only (dash rejects them as bad substitution)
_BASH_EXPANSION_TOKENS = {
    "/": "pattern substitution ${var/a/b}",
    "//": "pattern substitution ${var//a/b}",
    "!": "indirect expansion ${!var}",
    "^": "case modification ${var^}",
    "^^": "case modification ${var^^}",
    ",": "case modification ${var,}",
    ",,": "case modification ${var,,}",
}


def parse_posix(text: str, source: SourceMap, origin: str) -> Script:
    return read_tree(Script("posix", origin, text, source), "bash", _Walker)


def unquote_value(text: str) -> str:
    """Quote removal without the offsets (most words have no quotes at all)."""
    if "'" not in text and '"' not in text and "\\" not in text:
        return text
    return unquote(text)[0]


def unquote(text: str) -> tuple[str, list[int]]:
    """Quote removal as sh does it, with each output character's offset in ``text``.

    Expansions stay as written; ``$'…'`` is treated like single quotes. Runs of plain
    characters are copied as one slice (most of a word is plain).
    """
    out: list[str] = []
    offsets: list[int] = []
    size = len(text)
    index = 0
    while index < size:
        char = text[index]
        if char == "'" or (char == "$" and text.startswith("$'", index)):
            begin = index + (2 if char == "$" else 1)
            end = text.find("'", begin)
            end = size if end < 0 else end
            out.append(text[begin:end])
            offsets.extend(range(begin, end))
            index = end + 1
        elif char == '"':
            index += 1
            while index < size:
                match = _DOUBLE_QUOTED_SPECIAL.search(text, index)
                stop = size if match is None else match.start()
                if stop > index:
                    out.append(text[index:stop])
                    offsets.extend(range(index, stop))
                    index = stop
                if index >= size or text[index] == '"':
                    break
                if index + 1 < size and text[index + 1] in '"\\$`':
                    index += 1  # the backslash quotes the next character
                out.append(text[index])
                offsets.append(index)
                index += 1
            index += 1
        elif char == "\\" and index + 1 < size:
            if text[index + 1] != "\n":  # a backslash-newline joins lines
                out.append(text[index + 1])
                offsets.append(index + 1)
            index += 2
        else:
            match = _SPECIAL.search(text, index + 1)
            stop = size if match is None else match.start()
            out.append(text[index:stop])
            offsets.extend(range(index, stop))
            index = stop
    return "".join(out), offsets


# A word with none of these characters holds nothing the walk records (no expansion,
# substitution, single quotes or brace expansion; a broken one is the tree's has_error):
# its nodes are not visited.
_PLAIN = lazyre.compile(r"[^$`'{(<>]*\Z")
# Where a run of plain characters ends, outside and inside double quotes.
_SPECIAL = lazyre.compile(r"['\"\\$]")
_DOUBLE_QUOTED_SPECIAL = lazyre.compile(r'["\\]')


class _Walker(FlatWalk):
    __slots__ = ("offsets", "pipes_stderr", "script")

    def __init__(self, script: Script, offsets: ByteOffsets) -> None:
        super().__init__()
        self.script = script
        self.offsets = offsets
        # `|&` is an unnamed token: looked for among every child only when the text has one
        self.pipes_stderr = "|&" in script.text

    # --- helpers ------------------------------------------------------------------------

    def range(self, node: Node) -> tuple[int, int]:
        offsets = self.offsets
        if offsets.identity:
            return node.start_byte, node.end_byte
        return offsets.char(node.start_byte), offsets.char(node.end_byte)

    def text(self, node: Node) -> str:
        start, end = self.range(node)
        return self.script.text[start:end]

    def word(self, node: Node) -> Word:
        start, end = self.range(node)
        text = self.script.text[start:end]
        return Word(text, unquote_value(text), start, end, self.script.map)

    def condition(
        self, kind: ConditionKind, nodes: list[Node], pattern: str | None = None
    ) -> Condition:
        named = [node for node in nodes if node.is_named] or nodes
        if not named:
            return Condition(kind, "", pattern, 0, 0, self.script.map)
        start = self.range(named[0])[0]
        end = self.range(named[-1])[1]
        text = self.script.text[start:end]
        return Condition(kind, text, pattern, start, end, self.script.map)

    def feature(self, name: str, node: Node) -> None:
        start, end = self.range(node)
        self.script.features.append(
            Feature(name, self.script.text[start:end], start, end, self.script.map)
        )

    def assignment(
        self, node: Node, conditions: tuple[Condition, ...], exported: bool
    ) -> Assignment | None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return None
        if name_node.type == "subscript":
            self.feature("array element assignment", node)
            name_node = name_node.child_by_field_name("name") or name_node
        value_node = node.child_by_field_name("value")
        value = self.text(value_node) if value_node is not None else ""
        start, end = self.range(node)
        found = Assignment(
            self.text(name_node), value, start, end, conditions, exported, self.script.map
        )
        self.script.assignments.append(found)
        return found

    # --- the walk -----------------------------------------------------------------------

    def visit(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        kind = node.type
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node, conditions)
            return
        if kind == "ERROR":
            self.script.errors = True
        if not self.pipes_stderr:  # then only named children matter
            for child in node.named_children:
                if child.type not in _LEAVES:
                    self.walk(child, conditions)
            return
        for child in node.children:
            if child.is_named:
                if child.type not in _LEAVES:
                    self.walk(child, conditions)
            elif child.type == "|&":
                self.feature("pipe with stderr |&", child)

    def children(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        for child in node.named_children:
            if child.type not in _LEAVES:
                self.walk(child, conditions)

    def command(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            self.children(node, conditions)
            return
        env: list[Assignment] = []
        words: list[Word] = []
        later: list[Node] = []
        for child in node.children:
            if not child.is_named or child == name_node:
                continue
            kind = child.type
            if kind == "variable_assignment" and child.start_byte < name_node.start_byte:
                found = self.assignment(child, conditions, exported=True)
                if found is not None:
                    env.append(found)
                later.extend(
                    grandchild
                    for grandchild in child.children
                    if grandchild.is_named and grandchild.type not in _LEAVES
                )
            elif kind in _REDIRECTS:
                later.append(child)
            else:
                word = self.word(child)
                words.append(word)
                if kind not in _LEAVES and _PLAIN.match(word.text) is None:
                    later.append(child)
        start, end = self.range(node)
        name_start, name_end = self.range(name_node)
        name = unquote_value(self.script.text[name_start:name_end])
        self.script.commands.append(
            Command(
                name=name,
                words=tuple(words),
                start=start,
                end=end,
                name_start=name_start,
                name_end=name_end,
                conditions=conditions,
                env=tuple(env),
                source=self.script.map,
            )
        )
        if name == "source":
            self.feature("source (use .)", name_node)
        elif name == "let":
            self.feature("let", name_node)
        elif name in ("test", "[") and any(word.value == "==" for word in words):
            self.feature("== in test (use =)", node)
        if _PLAIN.match(self.script.text, name_start, name_end) is None:
            self.walk(name_node, conditions)
        for child in later:
            self.walk(child, conditions)

    def declaration(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        keyword = node.children[0] if node.children else None
        name = keyword.type if keyword is not None else ""
        words: list[Word] = []
        for child in node.children[1:]:
            if not child.is_named:
                continue
            if child.type == "variable_assignment":
                self.assignment(child, conditions, exported=name == "export")
            words.append(self.word(child))
        start, end = self.range(node)
        if name in _DECLARATIONS and keyword is not None:
            keyword_start, keyword_end = self.range(keyword)
            self.script.commands.append(
                Command(
                    name=name,
                    words=tuple(words),
                    start=start,
                    end=end,
                    name_start=keyword_start,
                    name_end=keyword_end,
                    conditions=conditions,
                    env=(),
                    source=self.script.map,
                )
            )
            if name in ("declare", "typeset"):
                self.feature(name, keyword)
        for child in node.children[1:]:
            if child.is_named:
                self.walk_inside_assignment(child, conditions)

    def walk_inside_assignment(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        if node.type == "variable_assignment":
            self.children(node, conditions)
        else:
            self.walk(node, conditions)

    def variable_assignment(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        self.assignment(node, conditions, exported=False)
        self.children(node, conditions)

    def case(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        subject = node.child_by_field_name("value")
        if subject is not None:
            self.walk(subject, conditions)
        subject_nodes = [subject] if subject is not None else []
        arms: list[Arm] = []
        for item in node.children:
            if item.type != "case_item":
                continue
            patterns: list[str] = []
            pattern_nodes: list[Node] = []
            body: list[Node] = []
            in_body = False
            for child in item.children:
                if not in_body:
                    if child.type == ")":
                        in_body = True
                    elif child.is_named:
                        patterns.append(self.text(child))
                        pattern_nodes.append(child)
                elif child.is_named:
                    body.append(child)
            label = "|".join(patterns)
            condition = self.condition("case", subject_nodes, label)
            inner = (*conditions, condition)
            for child in body:
                self.walk(child, inner)
            arms.append(self.arm(condition, label, pattern_nodes, body, item))
        self.choice("case", node, subject_nodes, arms, conditions)

    def arm(
        self,
        condition: Condition,
        label: str | None,
        label_nodes: list[Node],
        body: list[Node],
        owner: Node,
    ) -> Arm:
        if label_nodes:
            label_start, label_end = self.range(label_nodes[0])[0], self.range(label_nodes[-1])[1]
        else:
            label_start = label_end = self.range(owner)[0]
        if body:
            body_start, body_end = self.range(body[0])[0], self.range(body[-1])[1]
        else:
            body_start = body_end = label_end
        return Arm(condition, label, label_start, label_end, body_start, body_end)

    def choice(
        self,
        kind: Literal["case", "if"],
        node: Node,
        subject_nodes: list[Node],
        arms: list[Arm],
        conditions: tuple[Condition, ...],
    ) -> None:
        start, end = self.range(node)
        subject = self.text(subject_nodes[0]) if subject_nodes else ""
        self.script.choices.append(Choice(kind, subject, start, end, tuple(arms), conditions))

    def if_statement(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        tests: list[Condition] = []
        arms: list[Arm] = []
        state = "start"
        test_nodes: list[Node] = []
        body: list[Node] = []
        current: Condition | None = None
        for child in node.children:
            kind = child.type
            if kind == "if":
                state = "test"
            elif kind == "then":
                for test_node in test_nodes:
                    self.walk(test_node, conditions)
                current = self.condition("if", test_nodes)
                tests.append(current)
                state = "body"
            elif kind == "elif_clause":
                if current is not None and not arms:
                    arms.append(self.arm(current, current.test, test_nodes, body, node))
                arms.append(self.elif_clause(child, conditions, tests))
            elif kind == "else_clause":
                if current is not None and not arms:
                    arms.append(self.arm(current, current.test, test_nodes, body, node))
                excluded = self.excluding(tests)
                inner = (*conditions, excluded)
                else_body = [grandchild for grandchild in child.children if grandchild.is_named]
                for grandchild in else_body:
                    self.walk(grandchild, inner)
                arms.append(self.arm(excluded, None, [], else_body, child))
            elif state == "test":
                if child.is_named:
                    test_nodes.append(child)
            elif state == "body" and child.is_named and current is not None:
                body.append(child)
                self.walk(child, (*conditions, current))
        if current is not None and not arms:
            arms.append(self.arm(current, current.test, test_nodes, body, node))
        self.choice("if", node, [], arms, conditions)

    def excluding(self, tests: list[Condition]) -> Condition:
        text = " ; ".join(test.test for test in tests)
        if not tests:
            return Condition("else", text, None, 0, 0, self.script.map)
        start, end = tests[0].start, tests[-1].end
        return Condition("else", text, None, start, end, self.script.map)

    def elif_clause(
        self, node: Node, conditions: tuple[Condition, ...], tests: list[Condition]
    ) -> Arm:
        test_nodes: list[Node] = []
        body: list[Node] = []
        outer = (*conditions, self.excluding(tests)) if tests else conditions
        state = "test"
        current: Condition | None = None
        for child in node.children:
            if child.type == "elif":
                continue
            if child.type == "then":
                for test_node in test_nodes:
                    self.walk(test_node, outer)
                current = self.condition("if", test_nodes)
                state = "body"
            elif state == "test":
                if child.is_named:
                    test_nodes.append(child)
            elif child.is_named and current is not None:
                body.append(child)
                self.walk(child, (*outer, current))
        if current is None:
            current = self.condition("if", test_nodes)
        tests.append(current)
        return self.arm(current, current.test, test_nodes, body, node)

    def list_(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        """`a && b || c`: each part runs only after the ones before it.

        The grammar nests to the left, ((a && b) || c); a long chain is flattened here
        instead of recursing once per operator.
        """
        chain: list[tuple[str | None, Node]] = []  # (operator before it, operand)
        current = node
        while current.type == "list":
            operator: str | None = None
            right: list[Node] = []
            left: Node | None = None
            for child in current.children:
                if child.type in ("&&", "||"):
                    operator = child.type
                elif child.is_named:
                    if operator is None and left is None:
                        left = child
                    else:
                        right.append(child)
            if left is None or operator is None:
                self.children(current, conditions)
                break
            chain.extend((operator if i == 0 else None, item) for i, item in enumerate(right))
            current = left
        else:
            chain.append((None, current))
        chain.reverse()  # collected right to left
        if not chain:
            return
        previous = chain[0][1]
        guard = conditions
        for operator, operand in chain:
            if operator is not None:
                # the test is the command just before the operator: `[ … ] && x` tests,
                # `a && b && c` sequences (and keeps a long chain linear)
                kind: ConditionKind = "and" if operator == "&&" else "or"
                guard = (*conditions, self.condition(kind, [previous]))
            self.walk(operand, guard)
            previous = operand

    def loop(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        header: list[Node] = []
        body: Node | None = None
        for child in node.children:
            if child.type in ("do_group", "compound_statement"):
                body = child
            elif child.is_named:
                header.append(child)
        for item in header:
            self.walk(item, conditions)
        if node.type == "c_style_for_statement":
            self.later(lambda: self.feature("C-style for loop", node))
        if body is not None:
            self.walk(body, (*conditions, self.condition("loop", header)))

    def simple_expansion(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        for child in node.children:
            if child.type in ("variable_name", "special_variable_name"):
                self.reference(node, self.text(child))
                return
        self.children(node, conditions)

    def expansion(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        name: str | None = None
        seen_name = False
        bash_only: str | None = None  # one feature per expansion (${x:0:3} has two colons)
        for child in node.children:
            kind = child.type
            if kind == "variable_name" and name is None:
                name = self.text(child)
                seen_name = True
            elif kind == "subscript":
                sub_name = child.child_by_field_name("name")
                if sub_name is not None and name is None:
                    name = self.text(sub_name)
                seen_name = True
                self.feature("array subscript", child)
            elif kind in _BASH_EXPANSION_TOKENS and (seen_name or kind == "!"):
                bash_only = bash_only or _BASH_EXPANSION_TOKENS[kind]
            elif kind == ":" and seen_name:
                bash_only = bash_only or "substring ${var:offset:length}"
            elif child.is_named and kind not in ("variable_name", "special_variable_name"):
                self.walk(child, conditions)

        def record(feature: str | None = bash_only, name: str | None = name) -> None:
            # after the expansions nested in this one, as their references came first
            if feature is not None:
                self.feature(feature, node)
            if name is not None:
                self.reference(node, name)

        self.later(record)

    def reference(self, node: Node, name: str) -> None:
        start, end = self.range(node)
        self.script.variables.append(
            VariableRef(name, "sh", self.script.text[start:end], start, end, self.script.map)
        )

    def raw_string(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        self.script.literal_ranges.append(self.range(node))

    def ansi_c_string(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        self.script.literal_ranges.append(self.range(node))
        self.feature("ANSI-C quoting $'…'", node)

    def test_command(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        first = node.children[0] if node.children else None
        if first is not None and first.type == "[[":
            self.feature("[[ … ]]", node)
        elif first is not None and first.type == "[":
            self.double_equals(node)
        elif first is not None and first.type == "((":
            self.feature("arithmetic command (( … ))", node)
        self.children(node, conditions)

    def double_equals(self, node: Node) -> None:
        stack = list(node.children)
        while stack:
            item = stack.pop()
            if item.type == "==":
                self.feature("== in test (use =)", node)
                return
            if item.type == "binary_expression":
                stack.extend(item.children)

    def function_definition(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        if node.children and node.children[0].type == "function":
            self.feature("function keyword", node.children[0])
        self.children(node, conditions)

    def compound_statement(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        if node.children and node.children[0].type == "((":
            self.feature("arithmetic command (( … ))", node)
        self.children(node, conditions)

    def file_redirect(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        for child in node.children:
            if child.type in ("&>", "&>>"):
                self.feature(f"redirection {child.type}", child)
        self.children(node, conditions)

    def concatenation(self, node: Node, conditions: tuple[Condition, ...]) -> None:
        # tree-sitter-bash has no brace-expansion node: `{a,b}` is a concatenation of the
        # words `{`, `a,b` and `}` (`find -exec … {} \;` has no middle part).
        texts = [child.text or b"" for child in node.children]
        if b"{" in texts:
            opening = texts.index(b"{")
            closing = texts.index(b"}", opening) if b"}" in texts[opening:] else -1
            if closing > opening + 1 and any(
                b"," in item or b".." in item for item in texts[opening + 1 : closing]
            ):
                self.feature("brace expansion {a,b}", node)
        self.children(node, conditions)


def _handler(name: str) -> Any:
    return getattr(_Walker, name)


def _feature_handler(feature: str) -> Any:
    def handler(walker: _Walker, node: Node, conditions: tuple[Condition, ...]) -> None:
        walker.feature(feature, node)
        walker.children(node, conditions)

    return handler


_HANDLERS: dict[str, Any] = {
    "command": _handler("command"),
    "declaration_command": _handler("declaration"),
    "variable_assignment": _handler("variable_assignment"),
    "case_statement": _handler("case"),
    "if_statement": _handler("if_statement"),
    "list": _handler("list_"),
    "for_statement": _handler("loop"),
    "c_style_for_statement": _handler("loop"),
    "while_statement": _handler("loop"),
    "select_statement": _handler("loop"),
    "simple_expansion": _handler("simple_expansion"),
    "expansion": _handler("expansion"),
    "raw_string": _handler("raw_string"),
    "ansi_c_string": _handler("ansi_c_string"),
    "test_command": _handler("test_command"),
    "function_definition": _handler("function_definition"),
    "compound_statement": _handler("compound_statement"),
    "file_redirect": _handler("file_redirect"),
    "concatenation": _handler("concatenation"),
    "process_substitution": _feature_handler("process substitution <(…)"),
    "herestring_redirect": _feature_handler("here-string <<<"),
    "array": _feature_handler("array"),
}
