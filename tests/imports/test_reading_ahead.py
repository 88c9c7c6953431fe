"""`read_ahead`: the thread that parses the next chunks of a file while the database writes."""

import threading

import pytest

from imports.reading import read_ahead


def test_items_arrive_in_order_and_the_thread_ends():
    assert list(read_ahead(iter(range(1000)), depth=2)) == list(range(1000))
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]


def test_an_error_of_the_producer_is_raised_to_the_consumer_after_the_good_items():
    def items():
        yield 1
        yield 2
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    received = []
    with pytest.raises(UnicodeDecodeError):
        for item in read_ahead(items(), depth=1):
            received.append(item)
    assert received == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer():
    produced = []

    def items():
        for number in range(1_000_000):
            produced.append(number)
            yield number

    stream = read_ahead(items(), depth=2)
    assert next(stream) == 0
    stream.close()  # as when the import fails on a chunk
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]
    assert len(produced) < 10  # it stopped at once, not after reading the whole file
