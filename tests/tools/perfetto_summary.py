#!/usr/bin/env python3
"""Summarise a Perfetto trace decoded by `protoc --decode=perfetto.protos.Trace`
(text format on stdin) for tests/tools/timeline.sh, one fact per line:

  tracks N / counter_tracks N        track descriptors without / with a counter
  begins N / ends N / instants N     track events by type
  track NAME BEGINS INSTANTS         per track (vCPU tracks)
  counter NAME SUM                   the sum of a counter track's values
  depths NAME D...                   each slice's depth on its track, in time order
  durations NAME NS...               each slice's length, in time order

Slices are replayed as trace_processor does: per track, sorted by time
(stable), a BEGIN opens, an END closes the innermost open slice. An END
with nothing open, or a slice left open, is an error (exit 1).
"""
import collections
import sys


def parse(lines):
    """The text format as nested lists of (key, value-or-children)."""
    root, stack = [], []
    cur = root
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.endswith("{"):
            child = []
            cur.append((line[:-1].strip(), child))
            stack.append(cur)
            cur = child
        elif line == "}":
            cur = stack.pop()
        else:
            key, _, value = line.partition(":")
            value = value.strip()
            if value.startswith('"'):
                value = bytes(value[1:-1], "ascii").decode("unicode_escape")
            cur.append((key.strip(), value))
    return root


def field(msg, key, default=None):
    for k, v in msg:
        if k == key:
            return v
    return default


def main():
    packets = [v for k, v in parse(sys.stdin) if k == "packet"]
    names, counters = {}, set()
    events = collections.defaultdict(list)  # uuid -> [(ts, order, type, value)]
    for order, p in enumerate(packets):
        d = field(p, "track_descriptor")
        if d is not None:
            names[field(d, "uuid")] = field(d, "name")
            if field(d, "counter") is not None:
                counters.add(field(d, "uuid"))
        e = field(p, "track_event")
        if e is not None:
            events[field(e, "track_uuid")].append(
                (int(field(p, "timestamp")), order, field(e, "type"), field(e, "counter_value")))
    print("tracks", len(names) - len(counters))
    print("counter_tracks", len(counters))
    alltypes = collections.Counter(t for evs in events.values() for _, _, t, _ in evs)
    print("begins", alltypes["TYPE_SLICE_BEGIN"])
    print("ends", alltypes["TYPE_SLICE_END"])
    print("instants", alltypes["TYPE_INSTANT"])
    bad = False
    for uuid in sorted(events, key=int):
        if uuid not in names:
            print("event on undeclared track", uuid, file=sys.stderr)
            bad = True
            continue
        evs = sorted(events[uuid])
        name = names[uuid]
        if uuid in counters:
            print("counter", name, sum(int(v) for _, _, _, v in evs))
            continue
        kinds = collections.Counter(t for _, _, t, _ in evs)
        print("track", name, kinds["TYPE_SLICE_BEGIN"], kinds["TYPE_INSTANT"])
        stack, depths, durations = [], [], []
        for ts, _, t, _ in evs:
            if t == "TYPE_SLICE_BEGIN":
                depths.append(len(stack))
                durations.append(None)
                stack.append((ts, len(durations) - 1))
            elif t == "TYPE_SLICE_END":
                if not stack:
                    print("END with nothing open on", name, file=sys.stderr)
                    bad = True
                    continue
                start, i = stack.pop()
                durations[i] = ts - start
        if stack:
            print(len(stack), "slice(s) left open on", name, file=sys.stderr)
            bad = True
        if depths:
            print("depths", name, *depths)
            print("durations", name, *durations)
    sys.exit(1 if bad else 0)


main()
