#!/usr/bin/env python3
"""Generates sipedge's manual pages, in the layout of xdp-tools' pages, from one source each.

The option lists come from the programs' own --help (CLI11), so a page cannot drift from
the binary it describes; the prose around them comes from man/<page>.md. sipedge.toml(5) is
docs/config.md, converted, with man/sipedge.toml.5.md for the sections a man page adds.

    man/gen-man.py --build BUILD_DIR --out OUT_DIR [--version V] [--date "MONTH YEAR"]

A page source is Markdown with `# SECTION` headings. In a program's page:
  - `# DESCRIPTION` and any other section are copied in order after the generated OPTIONS
    (and, for sipedgectl, the generated commands);
  - `## --flag` under `# OPTIONS` adds a paragraph to that flag's entry;
  - `## command NAME` (sipedgectl) adds prose to the command's section.
Prose for a flag or command that --help does not list is an error: the page would lie.
"""

import argparse
import datetime
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# page name, section, program path in the build tree (None: not generated from --help), title
PAGES = [
    ("sipedge", 8, "tools/sipedge/sipedge", "The sipedge SIP edge"),
    ("sipedgectl", 8, "tools/sipedgectl/sipedgectl", "The sipedge XDP classifier"),
    ("sipedge-resolve", 1, "tools/sipedge-resolve/sipedge-resolve", "The sipedge SIP edge"),
    ("sipedge-parse", 1, "tools/sipedge-parse/sipedge-parse", "The sipedge SIP edge"),
    ("sipedge.toml", 5, None, "The sipedge SIP edge"),
]


class PageError(Exception):
    pass


# --- roff ------------------------------------------------------------------------------------
def roff_text(s):
    """Escapes plain text for roff: backslashes, hyphens (as \\-), and leading control chars."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s


def roff_line(s):
    """A line of running text: no leading '.' or "'" (they would be requests)."""
    if s.startswith(".") or s.startswith("'"):
        return "\\&" + s
    return s


def inline(md):
    """Markdown inline markup to roff: `code` and **bold** bold, *em* italic, links as text."""
    out = []
    pos = 0
    token = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)]*)\)")
    for m in token.finditer(md):
        out.append(roff_text(md[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + roff_text(m.group(1)) + "\\fP")
        elif m.group(2) is not None:
            out.append("\\fB" + inline(m.group(2)) + "\\fP")
        elif m.group(3) is not None:
            out.append("\\fI" + inline(m.group(3)) + "\\fP")
        else:
            out.append(inline(m.group(4)))
        pos = m.end()
    out.append(roff_text(md[pos:]))
    return "".join(out)


def table_rows(lines):
    """Cells of a Markdown table's rows (header first), the separator row dropped."""
    rows = []
    for line in lines:
        # A '|' inside `code` or escaped as '\|' is not a column separator.
        cells, cur, in_code, i = [], "", False, 0
        body = line.strip()
        if body.startswith("|"):
            body = body[1:]
        if body.endswith("|") and not body.endswith("\\|"):
            body = body[:-1]
        while i < len(body):
            c = body[i]
            if c == "\\" and i + 1 < len(body) and body[i + 1] == "|":
                cur += "|"
                i += 2
                continue
            if c == "`":
                in_code = not in_code
            if c == "|" and not in_code:
                cells.append(cur.strip())
                cur = ""
            else:
                cur += c
            i += 1
        cells.append(cur.strip())
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def render_table(lines):
    """A table as tagged paragraphs: the first column is the tag, the last the body, the
    columns between (type, default) in parentheses after the tag."""
    rows = table_rows(lines)
    header, body = rows[0], rows[1:]
    out = []
    for cells in body:
        tag = "\\fB" + roff_text(cells[0].strip("`")) + "\\fP" if cells[0].startswith("`") and \
            cells[0].endswith("`") and cells[0].count("`") == 2 else inline(cells[0])
        middle = []
        for name, value in zip(header[1:-1], cells[1:-1]):
            name = name.strip().lower()
            middle.append(inline(value) if name == "type" else "%s: %s" % (roff_text(name), inline(value)))
        if middle:
            tag += " (" + "; ".join(middle) + ")"
        out += [".TP", roff_line(tag), roff_line(inline(cells[-1]))]
    return out


def markdown_blocks(text, shift=0):
    """Markdown body (no front matter) to roff lines: headings (# = .SH, ## = .SS after
    `shift`), paragraphs, bullet lists, fenced code, tables."""
    out = []
    lines = text.split("\n")
    i = 0
    para = []

    def flush():
        if para:
            out.append(".PP")
            out.extend(roff_line(inline(l)) for l in para)
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            i += 1
            block = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            out += [".PP", ".RS", ".nf"] + ["\\fC" + roff_line(roff_text(b)) + "\\fP" if b else "" for b in block] + [".fi", ".RE"]
            i += 1
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            flush()
            level = len(m.group(1)) + shift
            title = re.sub(r"`", "", m.group(2)).strip()
            if level <= 1:
                out.append('.SH "%s"' % roff_text(title.upper()))
            else:
                out.append('.SS "%s"' % roff_text(title))
            i += 1
            continue
        if stripped.startswith("|"):
            flush()
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            out += render_table(block)
            continue
        if re.match(r"^\s*[-*]\s+", line):
            flush()
            item = [re.sub(r"^\s*[-*]\s+", "", line)]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() and \
                    not re.match(r"^\s*[-*]\s+", lines[i]):
                item.append(lines[i].strip())
                i += 1
            out += [".IP \\(bu 2"] + [roff_line(inline(l)) for l in item]
            continue
        if not stripped:
            flush()
            i += 1
            continue
        para.append(stripped)
        i += 1
    flush()
    return out


def split_sections(md, level=1):
    """[(title, body)] for each heading of `level` in md; text before the first heading has
    the title None."""
    parts = []
    title, body = None, []
    prefix = "#" * level + " "
    in_code = False
    for line in md.split("\n"):
        if line.strip().startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith(prefix):
            parts.append((title, "\n".join(body)))
            title, body = line[len(prefix):].strip(), []
        else:
            body.append(line)
    parts.append((title, "\n".join(body)))
    return [(t, b) for t, b in parts if t is not None or b.strip()]


# --- --help ----------------------------------------------------------------------------------
class Help:
    """One CLI11 --help: description, usage, and sections of (names, description)."""

    def __init__(self, text, prog):
        self.description = []
        self.usage = ""
        self.sections = []  # [(title, [(names, description)])]
        self.footer = []
        current = None
        seen_usage = False
        for line in text.rstrip("\n").split("\n"):
            if line.startswith("Usage: "):
                self.usage = line[len("Usage: "):].strip()
                seen_usage = True
                continue
            if not seen_usage:
                if line.strip():
                    self.description.append(line.strip())
                continue
            if not line.strip():
                continue
            if not line.startswith(" ") and line.endswith(":"):
                current = (line[:-1].strip(), [])
                self.sections.append(current)
                continue
            if current is None or not line.startswith(" "):
                self.footer.append(line)
                current = None
                continue
            m = re.match(r"^ {1,4}(\S.*?)(?: {2,}(\S.*))?$", line)
            indent = len(line) - len(line.lstrip())
            if current[1] and indent > 4 and (m is None or not m.group(1).startswith("-")):
                names, desc = current[1][-1]
                current[1][-1] = (names, (desc + " " + line.strip()).strip())
            elif m:
                current[1].append((m.group(1).strip(), (m.group(2) or "").strip()))
        if not self.usage:
            raise PageError("%s --help printed no 'Usage:' line" % prog)

    def options(self):
        """Every (names, description) in option sections (not positionals or subcommands)."""
        for title, entries in self.sections:
            if title in ("Positionals", "Subcommands"):
                continue
            for e in entries:
                yield title, e

    def subcommands(self):
        for title, entries in self.sections:
            if title == "Subcommands":
                return [names for names, _ in entries]
        return []


def run_help(binary, prog, args):
    """`prog args --help` with argv[0] = prog, so the usage line names the program."""
    r = subprocess.run([prog] + args + ["--help"], executable=binary, capture_output=True,
                       text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"})
    if r.returncode != 0:
        raise PageError("%s %s --help exited %d: %s" % (prog, " ".join(args), r.returncode, r.stderr))
    return Help(r.stdout, prog)


def flag_key(names):
    """The long flag of an entry ('-h,--help' -> '--help', '--listen TRANSPORT:ADDR:PORT ...'
    -> '--listen'), or its first word (positionals)."""
    words = re.split(r"[ ,]", names)
    longs = [w for w in words if w.startswith("--")]
    return longs[0] if longs else words[0]


def option_title(names):
    """The heading of an option: '-h,--help' -> '-h, --help'; CLI11's trailing 'REQUIRED',
    '...' and type words stay, as --help shows them."""
    return names.replace(",", ", ")


# --- pages -----------------------------------------------------------------------------------
def th(name, section, version, date, title):
    # .nh: a flag split over two lines by hyphenation could not be searched for.
    return ['.TH "%s" "%d" "%s" "sipedge %s" "%s"' % (name, section, date, version, title), ".nh"]


def name_line(help_obj, prog):
    first = help_obj.description[0] if help_obj.description else prog
    first = re.sub(r"^%s:\s*" % re.escape(prog), "", first)
    return roff_text(prog) + " \\- " + roff_text(first)


def options_block(entries, extra, prog):
    """`.SS` per option, in the xdp-tools manner; `extra` maps flag -> Markdown prose."""
    out = []
    for _, (names, desc) in entries:
        out.append('.SS "%s"' % roff_text(option_title(names)))
        if desc:
            out += [".PP", roff_line(roff_text(desc[0].upper() + desc[1:] if desc else desc) +
                                     ("" if desc.endswith(".") else "."))]
        key = flag_key(names)
        if key in extra:
            out += markdown_blocks(extra.pop(key), shift=1)
    return out


def program_page(name, section, binary, title, source, version, date):
    h = run_help(binary, name, [])
    md_sections = split_sections(source)
    out = th(name, section, version, date, title)
    out += ['.SH "NAME"', name_line(h, name), '.SH "SYNOPSIS"', ".PP",
            "\\fI" + roff_text(h.usage) + "\\fP"]
    for extra_line in h.description[1:]:
        out += [".PP", roff_line(roff_text(extra_line))]
    # Prose for options and commands, keyed by flag / command.
    option_prose, command_prose, rest = {}, {}, []
    for t, body in md_sections:
        if t == "OPTIONS":
            for sub, sub_body in split_sections(body, 2):
                if sub is None:
                    option_prose[None] = sub_body
                else:
                    option_prose[sub.strip("`")] = sub_body
        elif t == "COMMANDS":
            for sub, sub_body in split_sections(body, 2):
                if sub is None:
                    command_prose[None] = sub_body
                else:
                    command_prose[re.sub(r"^command\s+", "", sub.strip("`"))] = sub_body
        else:
            rest.append((t, body))
    description = [b for t, b in rest if t == "DESCRIPTION"]
    if description:
        out += ['.SH "DESCRIPTION"'] + markdown_blocks(description[0], shift=1)
    positionals = [e for t, es in h.sections if t == "Positionals" for e in es]
    if positionals:
        out += ['.SH "ARGUMENTS"']
        out += options_block([("Positionals", e) for e in positionals], option_prose, name)
    opts = list(h.options())
    if opts:
        out += ['.SH "OPTIONS"']
        if None in option_prose:
            out += markdown_blocks(option_prose.pop(None), shift=1)
        groups = []
        for group, e in opts:
            if not groups or groups[-1][0] != group:
                groups.append((group, []))
            groups[-1][1].append((group, e))
        for group, entries in groups:
            if len(groups) > 1 and group != "Options":
                out += [".PP", "\\fB" + roff_text(group) + "\\fP"]
            out += options_block(entries, option_prose, name)
    if h.footer:
        out += [".PP"] + [roff_line(roff_text(l.strip())) for l in h.footer]
    if h.subcommands():
        for path in h.subcommands():
            out += command_section(binary, name, [path], command_prose)
    elif command_prose:
        # The program's --help carries its own command reference (no CLI11 "Subcommands:"
        # list to walk): the prose stays, as a section of its own.
        out += ['.SH "COMMANDS"']
        if None in command_prose:
            out += markdown_blocks(command_prose.pop(None), shift=1)
        for key in [k for k in list(command_prose) if k is not None]:
            out += ['.SS "%s"' % roff_text(key)] + markdown_blocks(command_prose.pop(key), shift=2)
    for t, body in rest:
        if t == "DESCRIPTION":
            continue
        out += ['.SH "%s"' % roff_text(t.upper())] + markdown_blocks(body, shift=1)
    leftover = [k for k in list(option_prose) + list(command_prose) if k is not None]
    if leftover:
        raise PageError("man/%s.%d.md describes %s, which %s --help does not list" %
                        (name, section, ", ".join(leftover), name))
    return out


def command_section(binary, prog, path, prose):
    """`.SH "The X command"` for a subcommand of prog (and .SS for its own subcommands)."""
    h = run_help(binary, prog, path)
    key = " ".join(path)
    out = ['.SH "The %s command"' % roff_text(key.upper())] if len(path) == 1 else \
        ['.SS "%s %s"' % (roff_text(prog), roff_text(key))]
    if h.description:
        out += [".PP", roff_line(roff_text(" ".join(h.description)[0].upper() + " ".join(h.description)[1:]) + ".")]
    out += [".PP", "\\fI" + roff_text(h.usage) + "\\fP"]
    if key in prose:
        out += markdown_blocks(prose.pop(key), shift=2)
    entries = [e for t, es in h.sections if t != "Subcommands" for e in es]
    if len(path) == 1:
        out += options_block([(None, e) for e in entries], {}, prog)
    else:
        for names, desc in entries:
            out += [".TP", "\\fB" + roff_text(option_title(names)) + "\\fP", roff_line(roff_text(desc))]
    for sub in h.subcommands():
        out += command_section(binary, prog, path + [sub], prose)
    return out


def config_page(name, section, title, source, version, date):
    """sipedge.toml(5): man/sipedge.toml.5.md's NAME/SYNOPSIS, then docs/config.md (its
    first heading dropped, its ## sections as .SH), then the rest of the .md."""
    with open(os.path.join(ROOT, "docs", "config.md"), encoding="utf-8") as f:
        config = f.read()
    config = re.sub(r"\A# [^\n]*\n", "", config)
    md = split_sections(source)
    out = th(name, section, version, date, title)
    head = [(t, b) for t, b in md if t in ("NAME", "SYNOPSIS")]
    tail = [(t, b) for t, b in md if t not in ("NAME", "SYNOPSIS")]
    for t, body in head:
        out += ['.SH "%s"' % t]
        if t == "NAME":
            out.append(roff_line(inline(" ".join(body.split()).replace(" - ", " \x00 ", 1)).replace("\x00", "\\-")))
        else:
            out += markdown_blocks(body, shift=1)
    out += ['.SH "DESCRIPTION"'] + markdown_blocks(config, shift=-1)
    for t, body in tail:
        out += ['.SH "%s"' % roff_text(t.upper())] + markdown_blocks(body, shift=1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="CMake build tree with the four programs")
    ap.add_argument("--out", required=True, help="directory for the pages")
    ap.add_argument("--version", default=None, help="version for the page footers")
    ap.add_argument("--date", default=None, help='footer date (default: SOURCE_DATE_EPOCH or today, "MONTH YEAR")')
    args = ap.parse_args()
    version = args.version
    if not version:
        with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
            version = re.search(r"project\(sipedge VERSION ([0-9.]+)", f.read()).group(1)
    date = args.date
    if not date:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch \
            else datetime.datetime.now(datetime.timezone.utc)
        date = when.strftime("%B %Y").upper()
    os.makedirs(args.out, exist_ok=True)
    for name, section, program, title in PAGES:
        src = os.path.join(HERE, "%s.%d.md" % (name, section))
        with open(src, encoding="utf-8") as f:
            source = f.read()
        try:
            if program:
                binary = os.path.join(args.build, program)
                if not os.access(binary, os.X_OK):
                    raise PageError("%s is not built" % binary)
                lines = program_page(name, section, binary, title, source, version, date)
            else:
                lines = config_page(name, section, title, source, version, date)
        except PageError as e:
            print("gen-man: %s" % e, file=sys.stderr)
            return 1
        page = "\n".join(l for l in lines) + "\n"
        page = re.sub(r"\n{3,}", "\n\n", page)
        with open(os.path.join(args.out, "%s.%d" % (name, section)), "w", encoding="utf-8") as f:
            f.write(page)
        print("gen-man: %s/%s.%d" % (args.out, name, section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
