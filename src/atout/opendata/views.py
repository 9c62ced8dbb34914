"""The public open data page of a process: its resources, licences, and downloads (zip, each CSV)."""

from __future__ import annotations

import json
import time

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from atout.core import access

from . import services


class Unavailable(Exception):
    pass


def _published(request):
    """The package folder of a public process; a draft process has no public data."""
    process = request.process
    if not services.is_public(process):
        raise Http404(_("Cette démarche n'est pas publique."))
    try:
        return services.published_package(process)
    except (services.ExportError, OSError) as exc:  # invalid data, or a full or read-only disk
        raise Unavailable(str(exc)) from exc


def _unavailable(request, problem: str):
    return render(request, "opendata/unavailable.html", {"process": request.process, "problem": problem}, status=503)


@access.public
def package(request, slug):
    """Resources (name, description, rows, licence) with the downloads."""
    try:
        folder = _published(request)
    except Unavailable as exc:
        return _unavailable(request, str(exc))
    try:
        data = services.listing(folder)
    except FileNotFoundError:  # swapped by a regeneration at this very moment: read the new copy
        time.sleep(0.05)
        data = services.listing(folder)
    return render(request, "opendata/package.html", {
        "process": request.process, "package": data, "zip_size": services.zip_path(request.process).stat().st_size,
    })


@access.public
def package_zip(request, slug):
    try:
        _published(request)
    except Unavailable as exc:
        return _unavailable(request, str(exc))
    path = services.zip_path(request.process)
    return FileResponse(_open(path), as_attachment=True, filename=f"atout-{request.process.slug}-donnees.zip",
                        content_type="application/zip")


@access.public
def descriptor(request, slug):
    try:
        folder = _published(request)
    except Unavailable as exc:
        return _unavailable(request, str(exc))
    return FileResponse(_open(folder / "datapackage.json"), content_type="application/json; charset=utf-8",
                        filename="datapackage.json")


@access.public
def resource(request, slug, resource):
    try:
        folder = _published(request)
    except Unavailable as exc:
        return _unavailable(request, str(exc))
    names = {r["name"]: r["path"] for r in json.loads(_read(folder / "datapackage.json"))["resources"]}
    if resource not in names:
        raise Http404(_("Cette ressource n'existe pas."))
    return FileResponse(_open(folder / names[resource]), as_attachment=True,
                        filename=f"{request.process.slug}-{names[resource]}", content_type="text/csv; charset=utf-8")


def _open(path):
    """Open a file of the package; a regeneration swaps the folder in two renames, so try once more."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        time.sleep(0.05)
        return path.open("rb")


def _read(path) -> bytes:
    with _open(path) as handle:
        return handle.read()
