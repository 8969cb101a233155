# ruff: noqa: E501
# fmt: off
"""Every rule's code, name, default severity and module, without importing a rule.

Generated from the rule classes by ``python -m dflint.report.docs --write``; do not edit by hand
(tests/test_docs.py fails when it is stale). The engine imports only the rule modules
a run selects and that can fire on the file's instructions; the settings check codes
against it.
"""

from __future__ import annotations

from dataclasses import dataclass


# (a NamedTuple would compile each field's annotation, a string here, at every start)
@dataclass(frozen=True, slots=True)
class RuleEntry:
    """What the engine knows of a rule before importing its module."""

    code: str
    name: str
    severity: str  # the default: error, warning or info
    module: str | None  # None: the engine's own rule
    nodes: frozenset[str]  # the instructions check_instruction reads
    checks_file: bool  # the rule has a check_file
    needs_base_images: bool


RULES: tuple[RuleEntry, ...] = (
    RuleEntry("DF001", "parse-error", "error", None, frozenset(), False, False),
    RuleEntry("DF002", "invalid-suppression", "warning", None, frozenset(), False, False),
    RuleEntry("DF003", "unused-suppression", "info", None, frozenset(), False, False),
    RuleEntry("DF004", "invalid-instruction", "error", "dflint.rules.df004_invalid_instruction", frozenset(), True, False),
    RuleEntry("DF005", "unknown-instruction", "error", "dflint.rules.df005_unknown_instruction", frozenset(), True, False),
    RuleEntry("DF006", "invalid-platform-value", "error", "dflint.rules.df006_invalid_platform_value", frozenset({"FROM"}), False, False),
    RuleEntry("DF010", "non-utf8-text", "warning", None, frozenset(), False, False),
    RuleEntry("DF101", "misplaced-parser-directive", "error", "dflint.rules.df101_misplaced_parser_directive", frozenset(), True, False),
    RuleEntry("DF102", "continuation-swallows-instruction", "error", "dflint.rules.df102_continuation_swallows_instruction", frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}), False, False),
    RuleEntry("DF103", "foreign-escape-character", "error", "dflint.rules.df103_foreign_escape_character", frozenset(), True, False),
    RuleEntry("DF104", "backtick-escape-in-linux-stage", "warning", "dflint.rules.df104_backtick_escape_in_linux_stage", frozenset(), True, False),
    RuleEntry("DF201", "base-image-lacks-platform", "warning", "dflint.rules.df201_base_image_lacks_platform", frozenset({"FROM"}), False, True),
    RuleEntry("DF202", "arch-specific-base-image", "warning", "dflint.rules.df202_arch_specific_base_image", frozenset({"FROM"}), False, False),
    RuleEntry("DF203", "constant-platform-flag", "warning", "dflint.rules.df203_constant_platform_flag", frozenset({"FROM"}), False, False),
    RuleEntry("DF204", "redundant-target-platform", "info", "dflint.rules.df204_redundant_target_platform", frozenset({"FROM"}), False, False),
    RuleEntry("DF205", "cross-compile-stage-without-buildplatform", "info", "dflint.rules.df205_cross_compile_stage_without_buildplatform", frozenset(), True, False),
    RuleEntry("DF206", "mixed-os-stages", "error", "dflint.rules.df206_mixed_os_stages", frozenset({"COPY", "RUN"}), True, False),
    RuleEntry("DF207", "unresolved-base-image", "info", "dflint.rules.df207_unresolved_base_image", frozenset({"FROM"}), False, True),
    RuleEntry("DF208", "final-stage-on-build-platform", "error", "dflint.rules.df208_final_stage_on_build_platform", frozenset({"FROM"}), False, True),
    RuleEntry("DF209", "arch-default-in-base-image", "warning", "dflint.rules.df209_arch_default_in_base_image", frozenset({"FROM"}), False, False),
    RuleEntry("DF210", "build-platform-with-arch-pinned-image", "warning", "dflint.rules.df210_build_platform_with_arch_pinned_image", frozenset({"FROM"}), False, False),
    RuleEntry("DF211", "platform-arg-default", "warning", "dflint.rules.df211_platform_arg_default", frozenset({"ARG"}), False, False),
    RuleEntry("DF212", "target-arch-as-image-namespace", "error", "dflint.rules.df212_target_arch_as_image_namespace", frozenset({"FROM"}), False, False),
    RuleEntry("DF213", "arch-specific-copy-source", "warning", "dflint.rules.df213_arch_specific_copy_source", frozenset({"COPY", "RUN"}), False, False),
    RuleEntry("DF301", "linux-command-in-windows-stage", "error", "dflint.rules.df301_linux_command_in_windows_stage", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}), False, False),
    RuleEntry("DF302", "windows-command-in-linux-stage", "error", "dflint.rules.df302_windows_command_in_linux_stage", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}), False, False),
    RuleEntry("DF303", "foreign-variable-syntax", "error", "dflint.rules.df303_foreign_variable_syntax", frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "HEALTHCHECK", "RUN", "USER", "VOLUME", "WORKDIR"}), False, False),
    RuleEntry("DF304", "package-manager-mismatch", "error", "dflint.rules.df304_package_manager_mismatch", frozenset({"RUN"}), False, False),
    RuleEntry("DF305", "bashism-under-sh", "warning", "dflint.rules.df305_bashism_under_sh", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}), False, False),
    RuleEntry("DF306", "hardcoded-arch-download", "warning", "dflint.rules.df306_hardcoded_arch_download", frozenset(), True, False),
    RuleEntry("DF307", "hardcoded-arch-build-flag", "warning", "dflint.rules.df307_hardcoded_arch_build_flag", frozenset(), True, False),
    RuleEntry("DF308", "platform-arg-out-of-scope", "error", "dflint.rules.df308_platform_arg_out_of_scope", frozenset({"ADD", "ARG", "COPY", "ENV", "EXPOSE", "LABEL", "RUN", "USER", "VOLUME", "WORKDIR"}), False, False),
    RuleEntry("DF309", "powershell-syntax-under-cmd", "error", "dflint.rules.df309_powershell_syntax_under_cmd", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}), False, False),
    RuleEntry("DF310", "missing-exec-shell", "error", "dflint.rules.df310_missing_exec_shell", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN", "SHELL"}), False, False),
    RuleEntry("DF311", "wrong-arch-in-per-arch-file", "error", "dflint.rules.df311_wrong_arch_in_per_arch_file", frozenset(), True, False),
    RuleEntry("DF312", "incomplete-arch-dispatch", "warning", "dflint.rules.df312_incomplete_arch_dispatch", frozenset({"RUN"}), False, False),
    RuleEntry("DF313", "impossible-arch-test", "warning", "dflint.rules.df313_impossible_arch_test", frozenset({"RUN"}), False, False),
    RuleEntry("DF314", "build-arch-download-in-image", "error", "dflint.rules.df314_build_arch_download_in_image", frozenset(), True, False),
    RuleEntry("DF315", "powershell-syntax-with-unseen-shell", "warning", "dflint.rules.df315_powershell_syntax_with_unseen_shell", frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}), False, False),
    RuleEntry("DF316", "hardcoded-arch-path", "warning", "dflint.rules.df316_hardcoded_arch_path", frozenset(), True, False),
    RuleEntry("DF401", "windows-path-in-linux-stage", "error", "dflint.rules.df401_windows_path_in_linux_stage", frozenset({"ADD", "ARG", "COPY", "ENV", "VOLUME", "WORKDIR"}), False, False),
    RuleEntry("DF402", "windows-path-env-overwrite", "error", "dflint.rules.df402_windows_path_env_overwrite", frozenset({"ENV"}), False, False),
)
CODES: frozenset[str] = frozenset(entry.code for entry in RULES)
