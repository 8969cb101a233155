"""Rule documentation rendered from the rule classes (for `dflint rule`, `dflint rules`)."""

from __future__ import annotations

from dflint.registry import ENGINE_RULES, SECTIONS, all_rules, find_rule, rule_doc


def render_rule(code: str) -> str | None:
    key = code.upper()
    if key in ENGINE_RULES:
        name, severity, summary = ENGINE_RULES[key]
        return f"{key} {name} (default severity: {severity}; reported by the engine)\n\n{summary}\n"
    rule = find_rule(code)
    if rule is None:
        return None
    doc = rule_doc(rule)
    lines = [
        f"{rule.code} {rule.name}",
        "",
        doc.summary,
        "",
        f"Default severity: {rule.severity.value}. Platforms: {', '.join(rule.platforms)}. "
        f"Fix: {'available' if rule.fixable else 'none'}.",
    ]
    for section in SECTIONS:
        if section in doc.sections:
            lines += ["", f"## {section}", "", doc.sections[section]]
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    rows = [("code", "name", "severity", "platforms", "fix")]
    for code, (name, severity, _) in sorted(ENGINE_RULES.items()):
        rows.append((code, name, severity, "any", "-"))
    for rule in all_rules():
        rows.append(
            (
                rule.code,
                rule.name,
                rule.severity.value,
                ",".join(rule.platforms),
                "yes" if rule.fixable else "-",
            )
        )
    rows.sort(key=lambda row: (row[0] != "code", row[0]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
