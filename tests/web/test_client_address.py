"""The client address behind reverse proxies (ATOUT_TRUSTED_PROXIES): rate limits and sign-in
throttling must count people, not the proxy, and must not trust what a client writes itself."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from atout.consultation.models import RateBucket, Survey
from atout.core.throttle import client_address

FORWARDED = "203.0.113.9, 198.51.100.7"  # written by the client, then appended by the proxy


def request(forwarded=FORWARDED, remote="10.0.0.2"):
    return RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)


def test_without_declared_proxies_the_header_is_ignored(settings):
    settings.ATOUT_TRUSTED_PROXIES = 0
    assert client_address(request()) == "10.0.0.2"


@pytest.mark.parametrize(("proxies", "expected"), [(1, "198.51.100.7"), (2, "203.0.113.9")])
def test_the_address_seen_by_the_outermost_trusted_proxy_is_the_client(settings, proxies, expected):
    settings.ATOUT_TRUSTED_PROXIES = proxies
    assert client_address(request()) == expected


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer(settings):
    settings.ATOUT_TRUSTED_PROXIES = 2
    assert client_address(request(forwarded="198.51.100.7")) == "10.0.0.2"
    assert client_address(request(forwarded="")) == "10.0.0.2"


def test_survey_rate_limits_count_each_person_behind_the_proxy(client, settings, drome, tmp_path):
    from tests.consultation.forms import import_survey

    settings.ATOUT_TRUSTED_PROXIES = 1
    survey = import_survey(tmp_path, drome)
    survey.rate_limit = 1
    survey.save()
    url = reverse("consultation:start", kwargs={"slug": drome.slug, "survey": survey.slug})

    def start(person: str):
        return client.post(url, {"consent": "yes"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {person}")

    assert start("198.51.100.7").status_code == 302
    assert start("198.51.100.8").status_code == 302  # someone else behind the same proxy
    assert start("198.51.100.7").status_code == 429  # the first person again
    assert RateBucket.objects.count() == 2
    assert Survey.objects.get(pk=survey.pk).responses.count() == 2
