"""The public open data page: resources with rows and licences, the zip, each CSV; drafts have none."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils.formats import number_format

from atout.opendata import services
from atout.processes.models import Process
from atout.territories.models import Level, Territory


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def small(db):
    die = Territory.objects.get(level=Level.COMMUNE, code="26113")
    return Process.objects.create(slug="die-test", title="Die attractive", territory=die)


def url(name, process, **kwargs):
    return reverse(f"opendata:{name}", kwargs={"slug": process.slug, **kwargs})


def test_the_page_lists_the_resources_with_rows_and_licences(client, drome, var_dir):
    response = client.get(url("package", drome))
    assert response.status_code == 200
    page = response.content.decode()
    listing = services.listing(services.published_package(drome))
    for resource in listing["resources"]:
        assert url("resource", drome, resource=resource["name"]) in page
        assert f'<td class="num">{number_format(resource["rows"], use_l10n=True)}</td>' in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert url("zip", drome) in page
    assert (var_dir / "opendata").is_dir()


def test_the_zip_holds_the_whole_valid_package(client, small, var_dir, tmp_path):
    import frictionless

    response = client.get(url("zip", small))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "die-test/datapackage.json" in names and "die-test/territories.csv" in names
    archive.extractall(tmp_path / "unzipped")
    assert frictionless.validate(str(tmp_path / "unzipped" / "die-test" / "datapackage.json")).valid


def test_each_csv_and_the_descriptor_download(client, small, var_dir):
    response = client.get(url("resource", small, resource="territories"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[:2] == ["key,level,code,name,role,population", "com:26113,commune,26113,Die,territory,"
                                     + str(Territory.objects.get(level=Level.COMMUNE, code="26113").population)]
    descriptor = json.loads(b"".join(client.get(url("descriptor", small)).streaming_content))
    assert descriptor["name"] == "atout-die-test"
    assert client.get(url("resource", small, resource="nothing-here")).status_code == 404


def test_the_copy_is_reused_until_it_is_too_old(small, var_dir):
    folder = services.published_package(small)
    stamp = (folder / "datapackage.json").stat().st_mtime_ns
    assert services.published_package(small) == folder
    assert (folder / "datapackage.json").stat().st_mtime_ns == stamp
    services.published_package(small, max_age=0)
    assert (folder / "datapackage.json").stat().st_mtime_ns != stamp


def test_a_broken_plan_keeps_the_last_valid_copy_or_says_why(client, small, var_dir):
    from atout.actions.models import Action

    Action.objects.create(process=small, code="A1", title="Budget impossible", budget_spent=-5)
    response = client.get(url("package", small))
    assert response.status_code == 503
    assert "budget_spent" in response.content.decode()
    Action.objects.filter(process=small).update(budget_spent=5)
    assert client.get(url("package", small)).status_code == 200
    Action.objects.filter(process=small).update(budget_spent=-5)
    services.published_package(small, max_age=0)  # fails, the last valid copy stays
    assert client.get(url("package", small)).status_code == 200
    assert "5.00" in b"".join(client.get(url("resource", small, resource="actions")).streaming_content).decode()


def test_a_draft_process_has_no_public_data(client, small, var_dir, users):
    small.status = Process.Status.DRAFT
    small.save()
    assert client.get(url("package", small)).status_code == 404
    assert client.get(url("zip", small)).status_code == 404
    client.force_login(users["admin"])
    assert client.get(url("package", small)).status_code == 404


def test_the_process_home_page_links_to_its_data(client, drome, small):
    assert url("package", drome) in client.get(reverse("processes:home", kwargs={"slug": drome.slug})).content.decode()
    small.status = Process.Status.DRAFT
    small.save()
    home = client.get(reverse("processes:home", kwargs={"slug": small.slug}))
    assert url("package", small) not in home.content.decode()
