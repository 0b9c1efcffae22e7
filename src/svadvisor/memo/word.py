"""Word memos: the Markdown memo made into a .docx by pandoc (the optional `docx`
extra), and the replay record kept in (and read back from) the document's custom
properties, so `memo replay` can read a Word memo too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from svadvisor.errors import InputFileError, SvadvisorError

DOCX_INSTALL_HINT = (
    "Word memos need pandoc, from the optional extra: pip install 'svadvisor[docx]' "
    "(it installs pypandoc-binary); or write Markdown with --memo FILE.md"
)


class MissingExtraError(SvadvisorError):
    """An optional extra (such as `docx`) is needed and not installed."""


def markdown_to_docx(markdown: str) -> bytes:
    """A Word document with real headings and tables, made by pandoc from the memo."""
    try:
        import pypandoc
    except ImportError:
        raise MissingExtraError(DOCX_INSTALL_HINT) from None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "memo.docx"
        try:
            pypandoc.convert_text(markdown, "docx", format="gfm", outputfile=str(out))
        except OSError:
            raise MissingExtraError(DOCX_INSTALL_HINT) from None
        except RuntimeError as exc:
            raise SvadvisorError(f"pandoc could not make the Word document: {exc}") from None
        return out.read_bytes()


CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
"""The format id every user-defined document property carries."""

DOCX_RECORD_PREFIX = "svadvisor-replay-"
"""Custom document properties `svadvisor-replay-001`, `-002`, ... hold the replay block."""
DOCX_RECORD_PARTS = "svadvisor-replay-parts"
"""How many pieces the replay block was cut into (so a lost piece is noticed)."""
PROPERTY_CHARS = 255
"""Word keeps text properties of up to 255 characters, so the block is cut into pieces."""
MAX_PART_BYTES = 1024 * 1024


def _pieces(text: str, size: int = PROPERTY_CHARS) -> list[str]:
    """`text` cut into pieces of at most `size` characters, never next to whitespace (which
    an editor might trim from a property's value)."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = end
            while cut > start + 1 and (text[cut - 1].isspace() or text[cut].isspace()):
                cut -= 1
            end = cut if cut > start + 1 else end
        pieces.append(text[start:end])
        start = end
    return pieces


def _qualified(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def with_replay_record(docx: bytes, block: str) -> bytes:
    """The Word document with the replay block in its custom document properties
    (docProps/custom.xml), declared in the package's content types and relationships."""
    import io
    import zipfile
    from xml.etree import ElementTree as ET

    from defusedxml.ElementTree import fromstring

    ET.register_namespace("vt", _VT_NS)

    def xml(root: Any, namespace: str) -> bytes:
        """A part written with its own namespace as the default, as Office writes it (only
        these OOXML namespaces are registered, so nothing else in the process is changed)."""
        ET.register_namespace("", namespace)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{body}'.encode()

    source = zipfile.ZipFile(io.BytesIO(docx))
    names = source.namelist()

    if CUSTOM_PART in names:
        props = fromstring(source.read(CUSTOM_PART))
    else:
        props = ET.Element(_qualified(_CUSTOM_NS, "Properties"))
    ours = [
        p
        for p in props.findall(_qualified(_CUSTOM_NS, "property"))
        if str(p.get("name", "")).startswith(DOCX_RECORD_PREFIX)
    ]
    for prop in ours:
        props.remove(prop)
    pids = [int(p.get("pid", "1")) for p in props if str(p.get("pid", "")).isdigit()]
    pid = max([1, *pids])

    def add(name: str, kind: str, value: str) -> None:
        nonlocal pid
        pid += 1
        prop = ET.SubElement(
            props,
            _qualified(_CUSTOM_NS, "property"),
            {"fmtid": _FMTID, "pid": str(pid), "name": name},
        )
        ET.SubElement(prop, _qualified(_VT_NS, kind)).text = value

    pieces = _pieces(block)
    add(DOCX_RECORD_PARTS, "i4", str(len(pieces)))
    for n, piece in enumerate(pieces, start=1):
        add(f"{DOCX_RECORD_PREFIX}{n:03d}", "lpwstr", piece)
    replaced = {CUSTOM_PART: xml(props, _CUSTOM_NS)}

    types = fromstring(source.read("[Content_Types].xml"))
    override = _qualified(_TYPES_NS, "Override")
    if not any(o.get("PartName") == f"/{CUSTOM_PART}" for o in types.findall(override)):
        ET.SubElement(types, override, {"PartName": f"/{CUSTOM_PART}", "ContentType": _CUSTOM_TYPE})
        replaced["[Content_Types].xml"] = xml(types, _TYPES_NS)
    rels = fromstring(source.read("_rels/.rels"))
    relationship = _qualified(_RELS_NS, "Relationship")
    if not any(r.get("Type") == _CUSTOM_REL for r in rels.findall(relationship)):
        ids = {r.get("Id") for r in rels.findall(relationship)}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        ET.SubElement(
            rels,
            relationship,
            {"Id": f"rId{n}", "Type": _CUSTOM_REL, "Target": CUSTOM_PART},
        )
        replaced["_rels/.rels"] = xml(rels, _RELS_NS)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replaced.pop(info.filename, None)
            target.writestr(info, data if data is not None else source.read(info))
        for name, data in replaced.items():  # a part the document did not have
            target.writestr(name, data)
    return out.getvalue()


def read_docx_record(path: Path) -> str:
    """The replay block kept in a Word memo's custom document properties; a file that is
    not a Word document, or one without the record, is a clear error."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    where = f"{path}: "
    if not path.exists():
        raise InputFileError(f"{where}file not found")
    if path.is_dir():
        raise InputFileError(f"{where}is a folder, not a file")
    no_record = (
        f"{where}no replay record in its document properties; replay reads a Word memo "
        "written by svadvisor (--memo FILE.docx), or the Markdown memo"
    )
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(CUSTOM_PART)
            except KeyError:
                raise InputFileError(no_record) from None
            if info.file_size > MAX_PART_BYTES:
                raise InputFileError(f"{where}its {CUSTOM_PART} is too large to be svadvisor's")
            raw = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise InputFileError(f"{where}not a Word document (a .docx is a zip file)") from None
    try:
        props = fromstring(raw)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputFileError(f"{where}its document properties are damaged ({exc})") from None
    values: dict[str, str] = {}
    for prop in props.findall(_qualified(_CUSTOM_NS, "property")):
        name = str(prop.get("name", ""))
        if name == DOCX_RECORD_PARTS or name.startswith(DOCX_RECORD_PREFIX):
            values[name] = "".join(child.text or "" for child in prop)
    count = values.pop(DOCX_RECORD_PARTS, None)
    if count is None and not values:
        raise InputFileError(no_record)
    expected = [f"{DOCX_RECORD_PREFIX}{n:03d}" for n in range(1, len(values) + 1)]
    if count is None or not count.strip().isdigit() or int(count) != len(values):
        raise InputFileError(
            f"{where}the replay record in its document properties is incomplete "
            f"({len(values)} of {count or '?'} pieces); replay the Markdown memo instead"
        )
    if sorted(values) != expected:
        raise InputFileError(f"{where}the replay record in its document properties is damaged")
    return "".join(values[name] for name in expected)
