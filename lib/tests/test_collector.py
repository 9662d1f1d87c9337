import gc
import threading

from lib.collector import cycle_collection_paused


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_comes_back_on_after_an_error() -> None:
    try:
        with cycle_collection_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost() -> None:
    with cycle_collection_paused():
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_in_another_thread_keeps_it_off_until_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with cycle_collection_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with cycle_collection_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other thread's export still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_it_leaves_a_collector_switched_off_by_someone_else_off() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
