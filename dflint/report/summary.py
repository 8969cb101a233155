"""A run's results: what the formatters render and what decides the exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dflint.core.findings import Finding, Severity

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.lint.engine import FileResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(slots=True)
class Report:
    """A run's results: every file's findings, the inputs that failed, and the exit code."""

    files: list[FileResult] = field(default_factory=list)
    failure_threshold: str = "warning"
    input_errors: list[str] = field(default_factory=list)  # paths that could not be opened
    # codes that fail the run whatever their severity and the threshold (DF207 with --strict)
    fail_codes: tuple[str, ...] = ()

    @property
    def findings(self) -> list[Finding]:
        return [finding for item in self.files for finding in item.findings]

    def counts(self) -> Counter[Severity]:
        return Counter(finding.severity for finding in self.findings)

    @property
    def linted(self) -> int:
        return sum(1 for item in self.files if item.skipped is None and not item.failed)

    @property
    def failed(self) -> int:
        return sum(1 for item in self.files if item.failed) + len(self.input_errors)

    @property
    def fixable(self) -> int:
        return sum(1 for finding in self.findings if finding.fix is not None)

    def exit_code(self) -> int:
        if self.input_errors or any(item.failed or item.internal_errors for item in self.files):
            return EXIT_ERROR
        if any(finding.code in self.fail_codes for finding in self.findings):
            return EXIT_FINDINGS
        if self.failure_threshold == "none":
            return EXIT_CLEAN
        threshold = Severity(self.failure_threshold).rank
        if any(finding.severity.rank >= threshold for finding in self.findings):
            return EXIT_FINDINGS
        return EXIT_CLEAN
