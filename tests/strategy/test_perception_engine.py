"""The perception vs reality rule on constructed cases (engine only, no database)."""

import pytest

from atout.engine import perception as engine
from atout.engine.formats.errors import FormatError

JOBS = engine.PerceptionItem(key="jobs", question="hex_jobs", agree=["4", "5"], label="On trouve un emploi",
                             indicators=[engine.IndicatorLink("unemployment_rate", -1)])


def shares(**cells):
    """zone → (agree, n) into Shares, and for each zone the others pooled."""
    zones = {z: engine.share(a, n) for z, (a, n) in cells.items()}
    others = {z: engine.pooled([(n, a, n, a, n) for other, (a, n) in cells.items() if other != z]) for z in cells}
    whole = engine.pooled([(n, a, n, a, n) for a, n in cells.values()])
    return zones, others, whole


def test_share_has_a_wilson_interval_and_is_suppressed_under_ten_respondents():
    s = engine.share(30, 100)
    assert s.share == pytest.approx(0.3) and s.low == pytest.approx(0.2189, abs=1e-3) and s.high == pytest.approx(0.3958, abs=1e-3)
    assert s.margin == pytest.approx((s.high - s.low) / 2)
    small = engine.share(5, 9)
    assert small.suppressed and small.share is None and small.n == 9
    assert not engine.share(5, 10).suppressed


def test_weighted_share_uses_the_effective_base():
    s = engine.share(2, 20, agree_weight=4.0, weight=20.0, weight_sq=40.0)
    assert s.share == pytest.approx(0.2) and s.n_effective == pytest.approx(10.0)
    assert (s.high - s.low) > (engine.share(4, 20).high - engine.share(4, 20).low)


def test_perception_worse_than_reality():
    # North: 20 % agree that jobs can be found, the others 60 %; yet North's unemployment is the lowest.
    zones, others, whole = shares(north=(40, 200), south=(120, 200), east=(120, 200))
    values = {"unemployment_rate": {"north": 7.0, "south": 11.0, "east": 12.0}}
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values=values,
                            territory={"unemployment_rate": 10.0}, france={"unemployment_rate": 10.0})
    north = next(r for r in result["zones"] if r["zone"] == "north")
    assert north["gap"] == "below"
    assert north["indicators"][0]["reading"] == "better" and north["indicators"][0]["rank"] == 1
    assert north["flag"] == "perception_worse"
    assert engine.FLAG_TEXT[north["flag"]][0] == "Perception plus sombre que la réalité"


def test_perception_better_than_reality():
    zones, others, whole = shares(north=(180, 200), south=(80, 200), east=(80, 200))
    values = {"unemployment_rate": {"north": 14.0, "south": 9.0, "east": 9.5}}
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values=values,
                            territory={"unemployment_rate": 10.0}, france={})
    north = next(r for r in result["zones"] if r["zone"] == "north")
    assert (north["gap"], north["indicators"][0]["reading"], north["flag"]) == ("above", "worse", "perception_better")


def test_no_flag_when_the_intervals_overlap():
    # 45 % vs 55 % on 40 respondents each: the intervals overlap, nothing is claimed.
    zones, others, whole = shares(north=(18, 40), south=(22, 40))
    assert zones["north"].high > others["north"].low
    values = {"unemployment_rate": {"north": 6.0, "south": 14.0}}
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values=values,
                            territory={"unemployment_rate": 10.0}, france={})
    north = next(r for r in result["zones"] if r["zone"] == "north")
    assert north["gap"] == "none" and north["indicators"][0]["reading"] == "better" and north["flag"] == "none"


def test_a_suppressed_zone_is_never_flagged():
    zones, others, whole = shares(north=(0, 8), south=(150, 200), east=(150, 200))
    values = {"unemployment_rate": {"north": 5.0, "south": 12.0, "east": 12.0}}
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values=values,
                            territory={"unemployment_rate": 10.0}, france={})
    north = next(r for r in result["zones"] if r["zone"] == "north")
    assert north["perception"]["suppressed"] and north["gap"] == "none" and north["flag"] == "none"


def test_consistent_and_average_readings():
    zones, others, whole = shares(north=(40, 200), south=(120, 200), east=(120, 200))
    worse = {"unemployment_rate": {"north": 14.0, "south": 9.0, "east": 9.0}}
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values=worse,
                            territory={"unemployment_rate": 10.0}, france={})
    assert result["zones"][0]["flag"] == "consistent"
    # A gap smaller than half a standard deviation of the zones is "close to average": no flag.
    close = engine.standings({"a": 10.1, "b": 6.0, "c": 14.0}, 10.0, -1)
    assert close["a"].reading == "average" and close["b"].reading == "better" and close["c"].reading == "worse"
    assert close["b"].rank == 1 and close["c"].rank == 3


def test_whole_territory_against_the_midpoint_and_france():
    zones, others, whole = shares(north=(40, 200), south=(60, 200))
    result = engine.compare(JOBS, zones=zones, others=others, whole=whole, values={"unemployment_rate": {}},
                            territory={"unemployment_rate": 9.0}, france={"unemployment_rate": 10.0})
    assert result["whole"]["gap"] == "below"
    indicator = result["whole"]["indicators"][0]
    assert indicator["reading"] == "better" and indicator["gap"] == pytest.approx(0.1)
    assert result["whole"]["flag"] == "perception_worse"
    assert engine.france_reading(10.2, 10.0, -1) == (pytest.approx(-0.02), "average")


def test_parse_mapping_reads_directions_and_names_the_problems():
    text = """
survey: perception
items:
  - question: hex_jobs
    agree: ["4", "5"]
    indicators: [unemployment_rate, {code: share_15_29, direction: higher_is_better}]
"""
    mapping = engine.parse_mapping(text, polarity={"unemployment_rate": -1, "share_15_29": 0},
                                   known=["unemployment_rate", "share_15_29"])
    assert [(i.code, i.direction) for i in mapping.items[0].indicators] == [("unemployment_rate", -1), ("share_15_29", 1)]
    bad = """
survey: perception
items:
  - question: hex_jobs
    agree: ["4", "5"]
    indicators: [share_15_29, nowhere]
  - question: hex_other
    indicators: [unemployment_rate]
"""
    with pytest.raises(FormatError) as caught:
        engine.parse_mapping(bad, source="m.yaml", polarity={"unemployment_rate": -1, "share_15_29": 0},
                             known=["unemployment_rate", "share_15_29"])
    message = str(caught.value)
    assert "m.yaml, items[1], indicators[1]: 'share_15_29' has no polarity" in message
    assert "items[1], indicators[2]: unknown catalogue indicator 'nowhere'" in message
    assert "items[2], 'agree'" in message
    with pytest.raises(FormatError, match="line 2"):
        engine.parse_mapping("survey: x\nitems: [a: b: c]", source="m.yaml")
