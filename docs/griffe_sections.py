"""A griffe extension for the API reference: wright's docstrings head their examples `Example:` and
their layer shapes `Shape:`; this renders the first as code examples and the second verbatim."""

import re

from griffe import Extension, Object

# griffe's Google parser knows only the plural heading; the singular one would become an admonition
# whose `>>>` lines Markdown reads as nested block quotes.
_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_SHAPE_HEADING = re.compile(r"^(\s*)Shape:\s*$")


def _close_fence(lines: list[str], indent: str) -> None:
    # Before the blank lines that end the section, which griffe needs to see the next heading.
    blanks = 0
    while lines and not lines[-1].strip():
        lines.pop()
        blanks += 1
    lines.extend([indent + "```"] + [""] * blanks)


def _shape_as_code(text: str) -> str:
    # Shapes such as (*, C, H, W) are not Markdown: fencing the section's body keeps `*` and `_`
    # as written.
    out: list[str] = []
    body_indent = None  # set while inside a Shape section
    for line in text.splitlines():
        if body_indent is not None and line.strip():
            indent = len(line) - len(line.lstrip())
            if indent < len(body_indent):
                _close_fence(out, body_indent)
                body_indent = None
        heading = _SHAPE_HEADING.match(line)
        out.append(line)
        if heading:
            body_indent = heading.group(1) + "    "
            out.append(body_indent + "```text")
    if body_indent is not None:
        _close_fence(out, body_indent)
    return "\n".join(out)


class DocstringSections(Extension):
    """Rewrite `Example:` as `Examples:` and put `Shape:` bodies in code blocks before parsing."""

    def on_object(self, *, obj: Object, **kwargs) -> None:
        """Adjust one object's docstring once the object tree is complete."""
        if obj.docstring is not None:
            value = _EXAMPLE_HEADING.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = _shape_as_code(value)
