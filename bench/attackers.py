"""What the attack benchmarks (slowloris.py, hostile.py) share: a tally of what the server did
to the attackers, kept from many threads, the stop signal, and running the threads for a while
then returning the tally."""
import collections
import threading
import time

counts = collections.Counter()
_lock = threading.Lock()
stop = threading.Event()


def count(what):
    with _lock:
        counts[what] += 1


def run(threads, seconds):
    """Starts `threads`, lets them run `seconds`, stops them; returns the tally, sorted."""
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=3)
    with _lock:
        return sorted(counts.items())
