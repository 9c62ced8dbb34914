"""REFI-QDA project export (``.qdpx``): codebook, text sources, coded selections and coders.

REFI-QDA (www.qdasoftware.org) is the exchange standard of qualitative analysis software (ATLAS.ti,
MAXQDA, NVivo, QDA Miner, QualCoder, Quirkos…). A *project* file ``.qdpx`` is a zip holding:

* ``project.qde``: XML in the namespace ``urn:QDA-XML:project:1.0`` (schema ``Project.xsd``, REFI 2019)::

      <Project name="…" origin="atout" creationDateTime="…">
        <Users><User guid="…" name="Codeur 1"/></Users>
        <CodeBook><Codes><Code guid="…" name="…" isCodable="true" color="#RRGGBB">
          <Description>…</Description><Code …>children nest inside their parent</Code>
        </Code></Codes></CodeBook>
        <Sources>
          <TextSource guid="S" name="Entretien 1" plainTextPath="internal://S.txt">
            <PlainTextSelection guid="…" startPosition="120" endPosition="245" creatingUser="U">
              <Coding guid="…" creatingUser="U"><CodeRef targetGUID="C"/></Coding>
            </PlainTextSelection>
          </TextSource>
        </Sources>
        <Sets><Set guid="…" name="AFOM : Force"><MemberCode targetGUID="C"/></Set></Sets>
      </Project>

* ``sources/<guid>.txt``: each text source in UTF-8, which ``internal://<guid>.txt`` points at.

Selections are character positions in the source's plain text, counted from 0, end exclusive, in
Unicode characters (Python string indices). Users are coders' **pseudonyms** — never names: the
export travels outside the platform.

The code elements are the same in a codebook file ``.qdc`` (namespace ``urn:QDA-XML:codebook:1.0``,
written by :func:`atout.fieldwork.exports.codebook_qdc`): :func:`append_codes` writes them for either.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_FILE = "project.qde"
SOURCES_FOLDER = "sources"
ORIGIN = "atout"
_GUID = re.compile(r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$")
_RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def stable_guid(*parts: object) -> str:
    """A GUID that stays the same across exports for the same parts (e.g. ``("drome", "code", 12)``),
    so that a QDA tool re-importing an export updates its items instead of duplicating them."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "atout:" + ":".join(str(p) for p in parts)))


@dataclass
class Code:
    """A code of the codebook. ``color``: ``#RRGGBB`` (or None); ``codable``: False for a heading that
    only groups its ``children``."""

    guid: str
    name: str
    color: str | None = None
    description: str = ""
    codable: bool = True
    children: list[Code] = field(default_factory=list)


@dataclass
class CodeSet:
    """A named group of codes (REFI-QDA has no field for SWOT categories or strategic axes: they
    travel as sets). ``codes``: GUIDs of member codes."""

    guid: str
    name: str
    codes: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class User:
    """A coder, by **pseudonym** (``"Codeur A"``): never a person's name."""

    guid: str
    name: str


@dataclass
class Selection:
    """A coded passage of a text source: characters ``[start, end)`` with the GUIDs of the ``codes``
    applied, who coded it (a :class:`User` GUID) and when."""

    guid: str
    start: int
    end: int
    codes: list[str]
    user: str | None = None
    created: dt.datetime | None = None
    description: str = ""


@dataclass
class TextSource:
    """A text (transcript, document) with its coded selections."""

    guid: str
    name: str
    text: str
    selections: list[Selection] = field(default_factory=list)
    description: str = ""
    user: str | None = None
    created: dt.datetime | None = None


@dataclass
class Project:
    """Everything a ``.qdpx`` carries. ``user``: GUID of the user who made the export (optional)."""

    name: str
    codes: list[Code]
    sources: list[TextSource]
    users: list[User] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    description: str = ""
    created: dt.datetime | None = None
    user: str | None = None
    origin: str = ORIGIN


# ---------------------------------------------------------------------------------------------
# Checks


def _walk(codes: Iterable[Code]) -> Iterable[Code]:
    for code in codes:
        yield code
        yield from _walk(code.children)


def problems(project: Project) -> list[str]:
    """Everything that would make the project invalid or misleading, each naming its item: GUIDs
    that are malformed or used twice, colours that are not ``#RRGGBB``, selections outside their
    text or empty, references to unknown codes or users."""
    found: list[str] = []
    seen: dict[str, str] = {}

    def guid(value: str | None, what: str) -> None:
        if value is None or not _GUID.match(value):
            found.append(f"{what}: GUID {value!r} is not of the form 8-4-4-4-12 hexadecimal digits")
        elif value.lower().strip("{}") in seen:
            found.append(f"{what}: GUID {value} already used by {seen[value.lower().strip('{}')]}")
        else:
            seen[value.lower().strip("{}")] = what

    users = set()
    for user in project.users:
        guid(user.guid, f"user '{user.name}'")
        users.add(user.guid)
    codes = set()
    for code in _walk(project.codes):
        guid(code.guid, f"code '{code.name}'")
        codes.add(code.guid)
        if code.color is not None and not _RGB.match(code.color):
            found.append(f"code '{code.name}': colour {code.color!r} is not #RRGGBB")
    for code_set in project.sets:
        guid(code_set.guid, f"set '{code_set.name}'")
        found += [f"set '{code_set.name}': unknown code {c}" for c in code_set.codes if c not in codes]
    if project.user is not None and project.user not in users:
        found.append(f"project: unknown user {project.user}")
    for source in project.sources:
        guid(source.guid, f"source '{source.name}'")
        if source.user is not None and source.user not in users:
            found.append(f"source '{source.name}': unknown user {source.user}")
        for number, selection in enumerate(source.selections, start=1):
            what = f"source '{source.name}', selection {number}"
            guid(selection.guid, what)
            if not 0 <= selection.start < selection.end <= len(source.text):
                found.append(f"{what}: characters {selection.start}–{selection.end} are not inside the text "
                             f"(0–{len(source.text)}) or the selection is empty")
            if not selection.codes:
                found.append(f"{what}: no code applied")
            found += [f"{what}: unknown code {c}" for c in selection.codes if c not in codes]
            if selection.user is not None and selection.user not in users:
                found.append(f"{what}: unknown user {selection.user}")
    return found


# ---------------------------------------------------------------------------------------------
# Writing


def append_codes(parent: ET.Element, codes: Sequence[Code], namespace: str) -> None:
    """Write ``codes`` (and their children, nested) as ``<Code>`` elements under ``parent``, in
    ``namespace`` (:data:`PROJECT_NAMESPACE` in a project, :data:`CODEBOOK_NAMESPACE` in a ``.qdc``)."""
    q = f"{{{namespace}}}"
    for code in codes:
        attributes = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
        if code.color:
            attributes["color"] = code.color
        element = ET.SubElement(parent, q + "Code", attributes)
        if code.description:
            ET.SubElement(element, q + "Description").text = code.description
        append_codes(element, code.children, namespace)


def _when(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attributes(**values: str | int | None) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value is not None}


def source_path(source: TextSource) -> str:
    """Where the source's text sits in the zip (``sources/<guid>.txt``)."""
    return f"{SOURCES_FOLDER}/{source.guid.strip('{}')}.txt"


def project_xml(project: Project) -> bytes:
    """The ``project.qde`` document (UTF-8 XML). Raises ValueError listing every problem of
    :func:`problems` first: nothing is written from an inconsistent project."""
    found = problems(project)
    if found:
        raise ValueError("REFI-QDA project not written:\n" + "\n".join(f"  - {p}" for p in found))
    ET.register_namespace("", PROJECT_NAMESPACE)
    q = f"{{{PROJECT_NAMESPACE}}}"
    root = ET.Element(q + "Project", _attributes(
        name=project.name, origin=project.origin, creatingUserGUID=project.user, creationDateTime=_when(project.created)))
    # Element order is the schema's sequence: Users, CodeBook, Sources, Sets, Description.
    if project.users:
        users = ET.SubElement(root, q + "Users")
        for user in project.users:
            ET.SubElement(users, q + "User", {"guid": user.guid, "name": user.name})
    if project.codes:
        append_codes(ET.SubElement(ET.SubElement(root, q + "CodeBook"), q + "Codes"), project.codes, PROJECT_NAMESPACE)
    if project.sources:
        sources = ET.SubElement(root, q + "Sources")
        for source in project.sources:
            _append_source(sources, source, q)
    if project.sets:
        sets = ET.SubElement(root, q + "Sets")
        for code_set in project.sets:
            element = ET.SubElement(sets, q + "Set", {"guid": code_set.guid, "name": code_set.name})
            if code_set.description:
                ET.SubElement(element, q + "Description").text = code_set.description
            for code in code_set.codes:
                ET.SubElement(element, q + "MemberCode", {"targetGUID": code})
    if project.description:
        ET.SubElement(root, q + "Description").text = project.description
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _append_source(parent: ET.Element, source: TextSource, q: str) -> None:
    element = ET.SubElement(parent, q + "TextSource", _attributes(
        guid=source.guid, name=source.name, plainTextPath=f"internal://{source.guid.strip('{}')}.txt",
        creatingUser=source.user, creationDateTime=_when(source.created)))
    if source.description:
        ET.SubElement(element, q + "Description").text = source.description
    for selection in source.selections:
        selected = ET.SubElement(element, q + "PlainTextSelection", _attributes(
            guid=selection.guid, name=_excerpt_name(source.text[selection.start:selection.end]),
            startPosition=selection.start, endPosition=selection.end,
            creatingUser=selection.user, creationDateTime=_when(selection.created)))
        if selection.description:
            ET.SubElement(selected, q + "Description").text = selection.description
        for code in selection.codes:
            coding = ET.SubElement(selected, q + "Coding", _attributes(
                guid=stable_guid("coding", selection.guid, code), creatingUser=selection.user,
                creationDateTime=_when(selection.created)))
            ET.SubElement(coding, q + "CodeRef", {"targetGUID": code})


def _excerpt_name(text: str, length: int = 60) -> str:
    # QDA tools list selections by name; the start of the passage reads best.
    words = " ".join(text.split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


def write_qdpx(project: Project, target: str | Path | BinaryIO) -> None:
    """Write the ``.qdpx`` zip (``project.qde`` and ``sources/<guid>.txt``) to a path or a binary
    file object. Nothing is written when the project has problems (ValueError, see :func:`problems`)."""
    document = project_xml(project)  # raises before anything is opened
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, document)
        for source in project.sources:
            archive.writestr(source_path(source), source.text.encode("utf-8"))
    if isinstance(target, str | Path):
        Path(target).write_bytes(buffer.getvalue())
    else:
        target.write(buffer.getvalue())


__all__ = [
    "CODEBOOK_NAMESPACE", "PROJECT_FILE", "PROJECT_NAMESPACE", "SOURCES_FOLDER", "Code", "CodeSet", "Project",
    "Selection", "TextSource", "User", "append_codes", "problems", "project_xml", "source_path", "stable_guid",
    "write_qdpx",
]
