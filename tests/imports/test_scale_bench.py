"""bench.scale judges the import into the seeded database (issue 10: at least 0.90 of the
empty database's rate) on the medians of its interleaved pairs, not pair by pair."""

from bench import scale


def judged(figures):
    (figure,) = [figure for figure in figures if figure.target]
    return figure


def test_the_median_rates_are_judged_while_each_pair_is_only_shown():
    # given: three pairs, the second below the target on its own (0.87)
    empty, seeded = [26_000, 27_500, 26_600], [25_900, 24_000, 24_500]

    # when
    figures = scale.import_figures(empty, seeded)

    # then: every pair is in the table without a verdict, and the verdict is the medians'
    assert [round(figure.ratio, 2) for figure in figures[:3]] == [1.0, 0.87, 0.92]
    assert all(figure.passed is None for figure in figures[:3])
    figure = judged(figures)
    assert (figure.value, figure.baseline) == (24_500, 26_600)
    assert figure.passed is True


def test_the_medians_below_the_target_fail():
    # given: one fast pair cannot carry two slow ones
    empty, seeded = [26_000, 26_000, 26_000], [26_000, 22_000, 23_000]

    # when
    figure = judged(scale.import_figures(empty, seeded))

    # then: 23,000 / 26,000 = 0.88
    assert figure.passed is False
