"""Every Dockerfile snippet of BuildKit's parser, instruction and build-check tests, as cases.

Written for dflint from moby/buildkit at the commit in tests/data/buildkit/README.md; each
case names the Go test it comes from. Short snippets are the test's own input (a few lines of
Dockerfile are facts); tests that call a Go function on a word or a flag list instead of a
Dockerfile (ParseHeredoc, BFlags, ParseDevice, parseJSON, parseNameVal) are written here as the
smallest Dockerfile that makes BuildKit run the same code on the same value. BuildKit's
verdict on each case (accepted, or the error and its line; its warnings; its parse tree) is in
tests/data/buildkit/verdicts.json, produced by BuildKit's own code (tools/buildkit-oracle).

Left out, with the reason:
- parser TestParseIncludesLineNumbers, TestParseCases, TestParseErrorCases: their inputs are
  BuildKit's testfiles, read from ../shared/corpus/buildkit-parser by
  tests/test_conformance_buildkit.py (and by the testfiles cases below);
- instructions TestCommandsTooManyArguments: a hand-built node no Dockerfile text produces
  (ENV/LABEL pairs always come in threes from the parser);
- instructions TestHandleJSONArgs (support_test.go): a function on argument lists;
- check tests that set BUILDKIT_DOCKERFILE_CHECK through a frontend attribute, and the
  .dockerignore of testCopyIgnoredFiles: not part of a Dockerfile (the Dockerfile is kept);
- testBaseImagePlatformMismatch: depends on an image pushed by the test itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Snippet:
    id: str
    dockerfile: str
    build_args: dict[str, str] = field(default_factory=dict)


P = "frontend/dockerfile/parser/"
N = "frontend/dockerfile/instructions/"
C = "frontend/dockerfile/dockerfile_check_test.go"

SNIPPETS: list[Snippet] = []


def add(case_id: str, dockerfile: str, **build_args: str) -> None:
    SNIPPETS.append(Snippet(case_id, dockerfile, dict(build_args)))


# --- parser/parser_test.go ------------------------------------------------------------------

add(
    P + "parser_test.go:TestParseWarnsOnEmptyContinutationLine",
    "\nFROM alpine:3.6\n\nRUN valid \\\n    continuation\n\nRUN something \\\n\n"
    "    following \\\n\n    more\n\nRUN another \\\n\n    thing\n\nRUN non-indented \\\n"
    "# this is a comment\n   after-comment\n\nRUN indented \\\n"
    "    # this is an indented comment\n    comment\n\t",
)
add(
    P + "parser_test.go:TestParseReturnsScannerErrors",
    "\n\t\tFROM image\n\t\tLABEL test=" + "a" * 65536 + "\n",
)
for _number, _words in enumerate(
    ["foo", "foo bar", "foo\\ bar", "foo=bar", "foo bar 'abc xyz'", 'foo bar "abc xyz"'], 1
):
    # TestParseWords: parseWords is what ARG arguments go through
    add(P + f"parser_test.go:TestParseWords/{_number}", f"FROM alpine\nARG {_words}\n")
add(P + "parser_test.go:TestParseWords/7", "FROM alpine\nARG àöû\n")
add(P + "parser_test.go:TestParseWords/8", 'FROM alpine\nARG föo bàr "âbc xÿz"\n')

# --- parser/line_parsers_test.go ------------------------------------------------------------

add(P + "line_parsers_test.go:TestParseNameValOldFormat", "FROM alpine\nLABEL foo bar\n")
add(P + "line_parsers_test.go:TestParseNameValNewFormat", "FROM alpine\nLABEL foo=bar thing=star\n")
add(P + "line_parsers_test.go:TestParseNameValWithoutVal", "FROM alpine\nENV foo\n")

# --- parser/json_test.go --------------------------------------------------------------------

_INVALID_JSON = [
    '["a",42,"b"]',
    '["a",123.456,"b"]',
    '["a",{},"b"]',
    '["a",{"c": "d"},"b"]',
    '["a",["c"],"b"]',
    '["a",true,"b"]',
    '["a",false,"b"]',
    '["a",null,"b"]',
]
_VALID_JSON = [
    "[]",
    '[""]',
    '["a"]',
    '["a","b"]',
    '[ "a", "b" ]',
    '[\t"a",\t"b"\t]',
    '\t[\t"a",\t"b"\t]\t',
    '["abc 123", "♥", "☃", "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000"]',
]
for _number, _array in enumerate(_INVALID_JSON, 1):
    add(
        P + f"json_test.go:TestJSONArraysOfStrings/invalid-{_number}",
        f"FROM alpine\nCMD {_array}\n",
    )
for _number, _array in enumerate(_VALID_JSON, 1):
    add(P + f"json_test.go:TestJSONArraysOfStrings/valid-{_number}", f"FROM alpine\nCMD {_array}\n")

# --- parser/parser_heredoc_test.go ----------------------------------------------------------

add(
    P + "parser_heredoc_test.go:TestParseExtractsHeredoc",
    "\nFROM alpine:3.6\n\nENV NAME=me\n\nRUN ls\n\nUSER <<INVALID\nINVALID\n\n"
    "RUN <<EMPTY\nEMPTY\n\n"
    'RUN 3<<EMPTY2\nEMPTY2\n\nRUN "<<NOHEREDOC"\n\nRUN <<INDENT\n\tfoo\n\tbar\nINDENT\n\n'
    "RUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n\nRUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n\n"
    "RUN <<-EXPAND\n\texpand $NAME\nEXPAND\n\nRUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n\n"
    "RUN <<COPY\necho hello world\necho foo bar\nCOPY\n\n"
    "RUN <<COMMENT\n# internal comment\necho hello world\necho foo bar # trailing comment\n"
    "COMMENT\n\nRUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n\n"
    "COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n\n"
    "COPY <<EOF /quotes\n\"foo\"\n'bar'\nEOF\n\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n\n"
    "RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n\n"
    "COPY <<file.txt /dest\nhello world\nfile.txt\n\nRUN <<eo'f'\necho foo\neof\n\n"
    "RUN <<eo\\'f\necho foo\neo'f\n\nRUN <<'e'o\\'f\necho foo\neo'f\n\n"
    "RUN <<'one two'\necho bar\none two\n\nRUN <<$EOF\n$EOF\n\nRUN <<  EOF\nEOF\n\n"
    "RUN <<  EOF  > foo\nEOF\n\t",
)
add(
    P + "parser_heredoc_test.go:TestParseJSONHeredoc",
    '\nFROM alpine:3.6\n\nRUN ["whoami"]\nRUN ["<<EOF"]\nRUN ["<<\'EOF\'"]\n\t',
)
_VALID_HEREDOC_WORDS = ["<<EOF", "<<'EOF'", '<<"EOF"', "<<-EOF", "<<-'EOF'", '<<-"EOF"', '<<EO"F"']
_VALID_HEREDOC_WORDS += ["<< EOF", "<<- EOF"]
for _number, _word in enumerate(_VALID_HEREDOC_WORDS, 1):
    # TestParseHeredocHelpers runs ParseHeredoc on the word; RUN runs heredocsFromLine on the
    # line, whose lexer splits `<<- EOF` into two words (so that one opens no heredoc)
    add(
        P + f"parser_heredoc_test.go:TestParseHeredocHelpers/valid-{_number}",
        f"FROM alpine\nRUN {_word}\necho hi\nEOF\n",
    )
for _number, _word in enumerate(["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"'], 1):
    add(
        P + f"parser_heredoc_test.go:TestParseHeredocHelpers/invalid-{_number}",
        f"FROM alpine\nRUN {_word}\necho hi\nEOF\n",
    )
for _number, _word in enumerate(["EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"], 1):
    add(
        P + f"parser_heredoc_test.go:TestParseHeredocHelpers/not-{_number}",
        f"FROM alpine\nRUN cat {_word}\n",
    )
for _number, (_line, _names) in enumerate(
    [
        ("RUN <<EOF", ["EOF"]),
        ("RUN <<-EOF", ["EOF"]),
        ("RUN <<- EOF", ["EOF"]),
        ("RUN << -EOF", ["-EOF"]),
        ("RUN <<'EOF'", ["EOF"]),
        ("RUN 4<<EOF", ["EOF"]),
        ("RUN <<EOF <<EOF2", ["EOF", "EOF2"]),
        ("RUN '<<EOF'", []),
        ('RUN "<<EOF"', []),
    ],
    1,
):
    _body = "".join(f"body {name}\n{name}\n" for name in _names) or "RUN true\n"
    add(
        P + f"parser_heredoc_test.go:TestHeredocsFromLine/{_number}",
        f"FROM alpine\n{_line}\n{_body}",
    )

# --- parser/directives_test.go ----------------------------------------------------------------

add(P + "directives_test.go:TestDirectives/1", "#escape=\\\n# key = FOO bar\n\n# smth\nFROM a\n")
add(P + "directives_test.go:TestDirectives/2", "# EScape=\\\n# KEY = FOO bar\n\n# smth\nFROM a\n")
add(
    P + "directives_test.go:TestDetectSyntax/1",
    "# syntax = dockerfile:experimental // opts\nFROM busybox\n",
)
add(
    P + "directives_test.go:TestDetectSyntax/2",
    "#!/bin/sh\n# syntax = dockerfile:experimental\nFROM busybox\n",
)
add(P + "directives_test.go:TestDetectSyntax/3", "FROM busybox\nRUN ls\n")
add(P + "directives_test.go:TestDetectSyntax/4", "//syntax=foo\n//key=value")
add(P + "directives_test.go:TestDetectSyntax/5", '{"syntax": "foo", "bar": ["abc"]}')
add(P + "directives_test.go:TestDetectSyntaxBOM", "\ufeff# syntax = myfrontend\nFROM busybox\n")
add(P + "directives_test.go:TestParseDirective/1", "#check = skip=all // opts\nFROM busybox\n")
add(P + "directives_test.go:TestParseDirective/2", "#!/bin/sh\n# check = skip=all\nFROM busybox\n")
add(P + "directives_test.go:TestParseDirective/3", "//check=skip=all\n//key=value")

# --- instructions/parse_test.go ---------------------------------------------------------------

for _command in ["MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"]:
    add(N + f"parse_test.go:TestCommandsExactlyOneArgument/{_command}", _command)
for _command in ["ENV", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME"]:
    add(N + f"parse_test.go:TestCommandsAtLeastOneArgument/{_command}", _command)
for _command in ["ADD", "COPY"]:
    add(N + f"parse_test.go:TestCommandsNoDestinationArgument/{_command}", _command + " arg1")
for _command in ["ENV", "LABEL"]:
    add(N + f"parse_test.go:TestCommandsBlankNames/{_command}", _command + " =arg2")
add(N + "parse_test.go:TestHealthCheckCmd", "FROM alpine\nHEALTHCHECK CMD hello world\n")
for _value in ["50ns", "0ms", "1ms"]:
    add(
        N + f"parse_test.go:TestParseOptInterval/{_value}",
        f"FROM alpine\nHEALTHCHECK --interval={_value} CMD true\n",
    )
_ALL_COMMANDS = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
]
for _command in _ALL_COMMANDS:
    for _number, _tail in enumerate([" foo=bar", " a", " a b", " a b c", " 0 0"], 1):
        add(
            N + f"parse_test.go:TestNilLinter/{_command}/{_number}",
            "FROM busybox\n" + _command + _tail,
        )
add(
    N + "parse_test.go:TestCommentsDetection",
    "# foo sets foo\nARG foo=bar\n\n# base defines first stage\nFROM busybox AS base\n"
    "# this is irrelevant\nARG foo\n# bar defines bar\n# baz is something else\nARG bar baz=123\n",
)
add(N + "parse_test.go:TestErrorCases/copyEmptyWhitespace", "COPY\t\n\t\tquux \\\n      bar")
add(N + "parse_test.go:TestErrorCases/ONBUILD forbidden FROM", "ONBUILD FROM scratch")
add(N + "parse_test.go:TestErrorCases/MAINTAINER unknown flag", "MAINTAINER --boo joe@example.com")
add(N + "parse_test.go:TestErrorCases/Chaining ONBUILD", "ONBUILD ONBUILD RUN touch foobar")
add(N + "parse_test.go:TestErrorCases/Invalid instruction FOO", "FOO bar")
add(N + "parse_test.go:TestErrorCases/Invalid instruction foo", "foo bar")
add(N + "parse_test.go:TestRunCmdFlagsUsed", "RUN --mount=type=tmpfs,target=/foo/ echo hello")

# --- instructions/bflag_test.go (BFlags cases as the flags of real instructions) ---------------
# bool flag: COPY --link; string flag: COPY --chown (its default is "", as str1's "HI" is not
# observable from a Dockerfile); "--" ends the flags.

for _number, _flags in enumerate(
    [
        "",
        "-- ",
        "--chown ",  # string flag without a value
        "--chown= ",
        "--chown=BYE ",
        "--link ",
        "--link=true ",
        "--link=false ",
        "--link=false1 ",
        "--bool2 ",  # unknown flag
        "--link --chown=BYE ",
        "--link=false --parents --chown= --chmod=755 ",
    ],
    1,
):
    add(N + f"bflag_test.go:TestBuilderFlags/{_number}", f"FROM alpine\nCOPY {_flags}a /b\n")

# --- instructions/parse_heredoc_test.go --------------------------------------------------------

add(N + "parse_heredoc_test.go:TestErrorCasesHeredoc", "COPY /foo <<EOF\nEOF")
for _number, _text in enumerate(
    [
        "COPY /foo /bar",
        "COPY <<EOF /bar\nEOF",
        "COPY <<EOF /bar\nTESTING\nEOF",
        "COPY <<-EOF /bar\n\tTESTING\nEOF",
        "COPY <<'EOF' /bar\nTESTING\nEOF",
        "COPY <<EOF1 <<EOF2 /bar\nthis is the first file\nEOF1\nthis is the second file\nEOF2",
        "COPY <<EOF foo.txt /bar\nthis is inline\nEOF",
        'COPY <<EOF /quotes\n"quotes"\nEOF',
    ],
    1,
):
    add(N + f"parse_heredoc_test.go:TestCopyHeredoc/{_number}", "FROM alpine\n" + _text)
for _number, _text in enumerate(
    [
        'RUN ["ls", "/"]',
        'RUN ["<<EOF"]',
        "RUN ls /",
        "RUN <<EOF\nls /\nwhoami\nEOF",
        'RUN <<\'EOF\' | python\nprint("hello")\nprint("world")\nEOF',
        "RUN <<-EOF\n\techo test\nEOF",
    ],
    1,
):
    add(N + f"parse_heredoc_test.go:TestRunHeredoc/{_number}", "FROM alpine\n" + _text)

# --- instructions/commands_rundevice_test.go ---------------------------------------------------

for _number, _device in enumerate(
    [
        "vendor1.com/device=foo",
        "vendor1.com/device",
        "vendor1.com/device=foo,required",
        "vendor1.com/device=foo,required=true",
        "vendor1.com/device=foo,required=false",
        "name=vendor1.com/device=foo",
        "name=vendor1.com/device=foo,required",
        "vendor1.com/device=foo,name=vendor2.com/device=bar",
    ],
    1,
):
    add(
        N + f"commands_rundevice_test.go:TestParseDevice/{_number}",
        f"FROM alpine\nRUN --device={_device} true\n",
    )

# --- dockerfile_check_test.go (Linux variants) ----------------------------------------------------

add(
    C + ":testDefinitionDescription/1",
    "# check=skip=all;experimental=InvalidDefinitionDescription\n# foo this is the foo\n"
    "ARG foo=bar\n\n# base this is the base image\nFROM scratch AS base\n\n"
    "# version this is the version number\nARG version=latest\n\n# baz this is the baz\n"
    "ARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n"
    "# comment for something other than ARG or FROM\nCOPY Dockerfile .\n",
)
add(
    C + ":testDefinitionDescription/2",
    "# check=experimental=InvalidDefinitionDescription\n# bar this is the bar\nARG foo=bar\n"
    "# BasE this is the BasE image\nFROM scratch AS base\n# definitely a bad comment\n"
    "ARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n",
)
add(C + ":testCopyIgnoredFiles/1", "\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n")
add(
    C + ":testCopyIgnoredFiles/3",
    "# check=skip=CopyIgnoredFile\n\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n",
)
add(
    C + ":testCopyIgnoredFiles/4",
    "\nFROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\nFROM base\n"
    "COPY --from=base /foobar /Dockerfile\n",
)
add(C + ":testCopyIgnoredFiles/5", "\nFROM scratch\nCOPY ./Dockerfile .\n")
add(C + ":testCopyIgnoredFiles/6", "\nFROM scratch\nCOPY . .\n\t")
add(
    C + ":testSecretsUsedInArgOrEnv",
    "# check=skip=InvalidDefinitionDescription\n\nFROM scratch\nARG SECRET_PASSPHRASE\n"
    "ENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\n"
    "ENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\n"
    "ARG SECRET_PASSPHRASE_FILE\nENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n"
    "# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n"
    "# check=skip=SecretsUsedInArgOrEnv // allow secret in arg\nARG password\n"
    "# check=skip=all // is local to only this instruction\nENV alternate_password=bar\n"
    "# check=skip=all // is local to only this instruction\nARG alternate_password\n",
)
add(
    C + ":testAllTargetUnmarshal",
    "\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n",
)
_AS_CASING = "FROM scratch as base\ncopy Dockerfile .\n"
for _number, _check in enumerate(
    [
        "skip=all",
        "skip=all;error=true",
        "skip=ConsistentInstructionCasing,FromAsCasing",
        "skip=ConsistentInstructionCasing,FromAsCasing;error=true",
        "skip=ConsistentInstructionCasing",
        "skip=ConsistentInstructionCasing;error=true",
        "error=true",
    ],
    1,
):
    add(C + f":testRuleCheckOption/{_number}", f"#check={_check}\n" + _AS_CASING)
add(
    C + ":testStageName/1",
    "\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n\n"
    "# warning: 'as' should match 'FROM' cmd casing.\n#\nFROM scratch as base2\n\n"
    "FROM scratch AS base3\n",
)
add(
    C + ":testStageName/2",
    "\n# warning: 'AS' should match 'from' cmd casing.\n#\nfrom scratch AS base\n\n"
    "from scratch as base2\n",
)
add(
    C + ":testNoEmptyContinuation",
    "\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\n"
    "COPY Dockerfile \\\n.\n",
)
for _number, _text in enumerate(
    [
        "\n# warning: 'FROM' should be either lowercased or uppercased\n#\nFrom scratch as base\n"
        "FROM scratch AS base2\n",
        "\nFROM scratch\n# warning: 'copy' should match command majority's casing (uppercase)\n"
        "copy Dockerfile /foo\nCOPY Dockerfile /bar\n",
        "\n# warning: 'frOM' should be either lowercased or uppercased\n#\nfrOM scratch as base\n"
        "from scratch as base2\n",
        "\nfrom scratch\n# warning: 'COPY' should match command majority's casing (lowercase)\n"
        "COPY Dockerfile /foo\ncopy Dockerfile /bar\n",
        "\n# warning: 'from' should match command majority's casing (uppercase)\n#\nfrom scratch\n"
        "COPY Dockerfile /foo\nCOPY Dockerfile /bar\nCOPY Dockerfile /baz\n",
        "\n# warning: 'FROM' should match command majority's casing (lowercase)\n#\nFROM scratch\n"
        "copy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n",
        "\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n",
        "\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n",
        "\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n",
    ],
    1,
):
    add(C + f":testConsistentInstructionCasing/{_number}", _text)
add(C + ":testDuplicateStageName/1", "\nFROM scratch AS b\nFROM scratch AS b\n")
add(C + ":testDuplicateStageName/2", "\nFROM scratch AS b1\nFROM scratch AS b2\n")
add(C + ":testReservedStageName/1", "\nFROM scratch AS scratch\nFROM scratch AS context\n")
add(C + ":testReservedStageName/2", "\nFROM scratch\nFROM scratch AS a\n")
for _number, _text in enumerate(
    [
        "\nFROM scratch\nCMD mycommand\n",
        "\nFROM scratch\nENTRYPOINT mycommand\n",
        '\nFROM scratch\nSHELL ["/usr/bin/customshell"]\nCMD mycommand\n',
        '\nFROM scratch\nSHELL ["/usr/bin/customshell"]\nENTRYPOINT mycommand\n',
        '\nFROM scratch AS base\nSHELL ["/usr/bin/customshell"]\n\nFROM base\nCMD mycommand\n',
        '\nFROM scratch AS base\nSHELL ["/usr/bin/customshell"]\n\nFROM base\n'
        "ENTRYPOINT mycommand\n",
    ],
    1,
):
    add(C + f":testJSONArgsRecommended/{_number}", _text)
for _number, _text in enumerate(
    [
        "\nFROM scratch\nMAINTAINER me@example.org\n",
        '\nFROM scratch\nLABEL org.opencontainers.image.authors="me@example.org"\n',
        "\nFROM scratch\n# check=skip=JSONArgsRecommended\nCMD mycommand\n",
        "\nFROM scratch\n# check=skip=JSONArgsRecommended\nENTRYPOINT mycommand\n",
        "\nFROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me@example.org\n",
    ],
    1,
):
    add(C + f":testMaintainerDeprecated/{_number}", _text)
add(
    C + ":testWarningsBeforeError",
    "\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n",
)
for _number, _text in enumerate(
    [
        "\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n",
        "\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\n"
        "COPY Dockerfile .\n",
        "\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n",
        "\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n",
        "\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n",
        '\nARG DEBUG=""\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n',
        "\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n",
        "\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n"
        "COPY Dockerfile .\n\t",
        "\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n",
    ],
    1,
):
    add(C + f":testUndeclaredArg/{_number}", _text)
add(C + ":testWorkdirRelativePath/1", "\nFROM scratch\nWORKDIR app/\n")
add(
    C + ":testWorkdirRelativePath/2",
    "\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n",
)
add(
    C + ":testWorkdirRelativePath/3",
    "\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n",
)
for _number, _text in enumerate(
    [
        "\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n",
        "\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n",
        "\nFROM alpine\nRUN echo $PATH\n",
        "\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n",
        "\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\n"
        "ARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t",
        "\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t",
    ],
    1,
):
    add(C + f":testUnmatchedVars/{_number}", _text)
for _number, _text in enumerate(
    [
        '\nFROM scratch\nENTRYPOINT ["/myapp"]\nENTRYPOINT ["/myotherapp"]\nCMD ["/myapp"]\n'
        'CMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
        '\nFROM scratch\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\n'
        'COPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\n'
        'HEALTHCHECK CMD ["/myotherapp"]\n',
        '\nFROM scratch AS a\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\n\n'
        'FROM a AS b\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\n'
        'HEALTHCHECK CMD ["/myotherapp"]\n',
    ],
    1,
):
    add(C + f":testMultipleInstructionsDisallowed/{_number}", _text)
for _number, _text in enumerate(
    [
        "\nFROM scratch\nENV testkey value\nLABEL key value\n",
        "\nFROM scratch\nENV testkey=value\nLABEL key=value\n",
        "\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\nFROM a AS c\n",
        "\nFROM scratch\n# check=skip=LegacyKeyValueFormat\nENV testkey value\n"
        "# check=skip=LegacyKeyValueFormat\nLABEL key value\n",
    ],
    1,
):
    add(C + f":testLegacyKeyValueFormat/{_number}", _text)
add(C + ":testRedundantTargetPlatform/1", "\nFROM --platform=$TARGETPLATFORM scratch\n")
add(C + ":testRedundantTargetPlatform/2", "\nFROM --platform=${TARGETPLATFORM} scratch\n")
add(
    C + ":testRedundantTargetPlatform/3",
    "\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n",
)
add(
    C + ":testInvalidDefaultArgInFrom/1", "\nARG VERSION\nFROM busybox:$VERSION\n", VERSION="latest"
)
add(C + ":testInvalidDefaultArgInFrom/2", "\nARG IMAGE\nFROM $IMAGE\n", IMAGE="busybox:latest")
add(C + ":testInvalidDefaultArgInFrom/3", '\nARG SFX="box:"\nFROM busy${SFX}\n', SFX="box:latest")
add(
    C + ":testInvalidDefaultArgInFrom/4",
    '\nARG VERSION="latest"\nFROM busybox:${VERSION}\n',
    VERSION="latest",
)
add(
    C + ":testInvalidDefaultArgInFrom/5",
    '\nARG BUSYBOX_VARIANT=""\nFROM busybox:stable${BUSYBOX_VARIANT}\n',
    BUSYBOX_VARIANT="-musl",
)
add(
    C + ":testInvalidDefaultArgInFrom/6",
    "\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t",
    BUSYBOX_VARIANT="-musl",
)
add(C + ":testFromPlatformFlagConstDisallowed/1", "\nFROM --platform=linux/amd64 scratch\n")
add(
    C + ":testFromPlatformFlagConstDisallowed/2",
    "\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n",
)
add(
    C + ":testFromPlatformFlagConstDisallowed/3", "\nFROM --platform=linux/amd64 scratch AS linux\n"
)
add(C + ":testExposeProtoCasing", "\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n")
add(
    C + ":testExposeInvalidFormat",
    "\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n",
)

# --- the examples and dflint's own edge cases, judged by the same oracle ---------------

_D = "dflint:"
for _number, _text in enumerate(
    [
        "FROM alpine\nSTOPSIGNAL --anything SIGTERM\n",
        "FROM alpine\nARG --anything A=1\n",
        "FROM alpine\nHEALTHCHECK --interval=5s NONE\n",
        "FROM alpine\nHEALTHCHECK --nope=1 CMD true\n",
        "FROM alpine\nHEALTHCHECK --timeout=3 CMD true\n",
        "FROM alpine\nHEALTHCHECK --timeout=3d CMD true\n",
        "FROM alpine\nHEALTHCHECK --start-interval=1.5s --retries=x CMD true\n",
        "FROM alpine\nHEALTHCHECK --interval=5m \\\nCMD curl -f http://localhost/\n",
        "FROM alpine\nONBUILD \\\nRUN echo hi\n",
        "FROM alpine\nONBUILD BADCMD x\n",
        "FROM alpine\nONBUILD --x RUN true\n",
        "FROM alpine\nRUN <<- EOF\necho hi\nEOF\n",
        "FROM alpine\nRUN << -EOF\necho hi\n-EOF\n",
        "FROM alpine\nFR\\om alpine\n",
        "FROM\\ alpine\n",
        "FROM alpine\nRUNCMD docker\n",
        "FROM alpine\nCOPY --chmodd=755 a b\n",
        "FROM alpine\nCOPY --chmod=u+x a /b\n",
        "FROM alpine\nCOPY --chmod=8 a /b\n",
        "FROM alpine\nCOPY --from=$X a /b\n",
        "FROM alpine\nRUN --mount=type=cache,target=/c,mode=0700,uid=1000 true\n",
        "FROM alpine\nRUN --mount=type=bind,target=/c,mode=0700 true\n",
        "FROM alpine\nRUN --mount=type=secret,id=a,sharing=locked true\n",
        "FROM alpine\nRUN --mount=type=secret true\n",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/t,size=64m true\n",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/t,size=lots true\n",
        "FROM alpine\nRUN --mount=type=ssh,source=/k true\n",
        "FROM alpine\nRUN --mount=type=bind,target=/ true\n",
        'FROM alpine\nRUN --mount=type=bind,"target=/a,b" true\n',
        'FROM alpine\nRUN --mount=type=bind,tar"get=/a true\n',
        "FROM alpine\nRUN --mount= true\n",
        "FROM alpine\nRUN --network=none --security=insecure true\n",
        "FROM alpine\nEXPOSE 80-70\n",
        "FROM alpine\nEXPOSE 70000\n",
        "FROM alpine\nEXPOSE 1.2.3.4:80:80/udp\n",
        "FROM alpine\nEXPOSE $PORT\n",
        "FROM alpine\nSTOPSIGNAL 0\n",
        "FROM alpine\nSTOPSIGNAL SIGRTMAX-3\n",
        "FROM alpine AS 1stage\n",
        "FROM alpine AS stage!\n",
        "FROM alpine as\n",
        "FROM\n",
        "FROM --platform=linux/amd64 --platform=linux/arm64 alpine\n",
        "FROM alpine\nVOLUME\n",
        "FROM alpine\nSHELL []\n",
        'FROM alpine\nSHELL ["powershell"]\n',
        "FROM alpine\nCMD\n",
        "FROM alpine\nENTRYPOINT\n",
        "FROM alpine\nRUN\n",
        "FROM alpine\nADD --unpack=true a.tar /x\n",
        "FROM alpine\nADD --keep-git-dir https://github.com/moby/buildkit.git /x\n",
        "FROM alpine\nCOPY --parents a/b /x/\n",
        "FROM alpine\nCOPY --exclude=*.md . /x\n",
        "FROM alpine\nLABEL =x\n",
        "FROM alpine\nUSER a b\n",
        "FROM alpine\nWORKDIR /a /b\n",
        "FROM alpine\nMAINTAINER a b\n",
        "FROM --platform=foobar alpine\n",
        "FROM --platform=$FOOBAR alpine\n",
        "ARG P=linux/arm64\nFROM --platform=$P alpine\n",
        'ARG ALPINE_TAG=3.19\nFROM alpine:"${ALPINE_TAG}"\n',
        "ARG TAG\nFROM alpine:${TAG:-3.14}\n",
        "FROM alpine AS build_amd64\nFROM build_${TARGETARCH}\n",
        "FROM $NOTHING\n",
        "FROM alpine\nCOPY --from=later a /b\nFROM alpine AS later\n",
        "FROM alpine\nRUN --mount=from=later,target=/x true\nFROM alpine AS later\n",
        "# check=skip=all;error=maybe\nFROM alpine\n",
        "# check=foo=bar\nFROM alpine\n",
        "FROM alpine\n# check=foo\nRUN true\n",
    ],
    1,
):
    add(_D + f"edge/{_number}", _text)
