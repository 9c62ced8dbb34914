"""Bar chart layout: one scale for every bar, negative values left of the zero line, missing values empty."""

from atout.engine.barchart import bar_chart


def test_bars_share_one_scale_from_zero():
    chart = bar_chart([("Drôme", 10.0, True), ("Ardèche", 5.0, False), ("France", None, False)],
                      width=300, label_width=100, value_width=50)
    own, peer, france = chart.bars
    assert chart.zero_x == 100
    assert own.x == 100 and own.width == 150  # the largest value fills the plot area
    assert peer.width == 75  # half the value, half the length
    assert france.value is None and france.width == 0
    assert [b.y for b in chart.bars] == [0, 22, 44]
    assert own.highlight and not peer.highlight


def test_negative_values_extend_left_of_zero():
    chart = bar_chart([("A", -1.0, False), ("B", 3.0, False)], width=300, label_width=100, value_width=40)
    low, high = chart.bars
    assert chart.zero_x == 140  # a quarter of the 160-unit plot is below zero
    assert low.x == 100 and low.width == 40
    assert high.x == 140 and high.width == 120
