#!/usr/bin/env python3
"""Summarise a Perfetto trace decoded by `protoc --decode=perfetto.protos.Trace`
(text format on stdin) for tests/tools/timeline.sh, one fact per line:

  tracks N / counter_tracks N        track descriptors without / with a counter
  begins N / ends N / instants N     track events by type
  track NAME BEGINS INSTANTS         per track (vCPU tracks)
  counter NAME SUM                   the sum of a counter track's values
  depths NAME D...                   each slice's depth on its track, in time order
  durations NAME NS...               each slice's length, in time order
  interned TABLE N                   entries of each InternedData table
  name NAME N                        BEGINs and instants by resolved name
  category NAME N                    track events by resolved category
  annotation KEY VALUE N             string annotations by resolved key and value
  literal_strings N                  track events with a name, category or
                                     annotation as a string, not an iid

Slices are replayed as trace_processor does: per track, sorted by time
(stable), a BEGIN opens, an END closes the innermost open slice. An END
with nothing open, or a slice left open, is an error (exit 1).

Interning is resolved as trace_processor does: per trusted_packet_sequence_id,
a packet with SEQ_INCREMENTAL_STATE_CLEARED (1) empties the tables, then
each packet's interned_data adds to them before its own fields are read.
An iid used but not defined in this packet or an earlier one of the same
sequence since the last clear, an iid defined twice, a sequence whose
first packet does not clear, or a later packet without
SEQ_NEEDS_INCREMENTAL_STATE (2), is an error (exit 1).
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


TABLES = ("event_categories", "event_names", "debug_annotation_names",
          "debug_annotation_string_values")


class Interning:
    """The interned tables of each sequence, and what the packets used."""

    def __init__(self):
        self.seqs = {}  # sequence id -> {table: {iid: string}}
        self.defined = collections.Counter()
        self.names = collections.Counter()
        self.categories = collections.Counter()
        self.annotations = collections.Counter()
        self.literals = 0
        self.errors = []

    def packet(self, order, p):
        """Update the tables from packet p; its tables, or None."""
        seq = field(p, "trusted_packet_sequence_id")
        flags = int(field(p, "sequence_flags", "0"))
        if flags & 1:
            self.seqs[seq] = {t: {} for t in TABLES}
        elif seq not in self.seqs:
            self.errors.append(f"packet {order}: sequence {seq} not cleared first")
            return None
        elif not flags & 2:
            self.errors.append(f"packet {order}: no SEQ_NEEDS_INCREMENTAL_STATE")
        tables = self.seqs[seq]
        for table, entries in field(p, "interned_data", []):
            text = field(entries, "str" if table.endswith("values") else "name")
            iid = field(entries, "iid")
            if iid in tables[table]:
                self.errors.append(f"packet {order}: {table} iid {iid} defined twice")
            tables[table][iid] = text
            self.defined[table] += 1
        return tables

    def resolve(self, order, tables, table, iid):
        if iid not in tables[table]:
            self.errors.append(f"packet {order}: {table} iid {iid} used before it is defined")
            return None
        return tables[table][iid]

    def event(self, order, tables, e):
        """Count e's resolved name, categories and string annotations."""
        name = field(e, "name")
        if name is not None or field(e, "categories") is not None or any(
                k == "debug_annotations" and (field(v, "name") is not None or
                                              field(v, "string_value") is not None)
                for k, v in e):
            self.literals += 1
        if field(e, "name_iid") is not None:
            name = self.resolve(order, tables, "event_names", field(e, "name_iid"))
        if field(e, "type") in ("TYPE_SLICE_BEGIN", "TYPE_INSTANT"):
            self.names[str(name)] += 1
        for k, v in e:
            if k == "category_iids":
                self.categories[str(self.resolve(order, tables, "event_categories", v))] += 1
            elif k == "debug_annotations":
                key = field(v, "name")
                if field(v, "name_iid") is not None:
                    key = self.resolve(order, tables, "debug_annotation_names", field(v, "name_iid"))
                value = field(v, "string_value")
                if field(v, "string_value_iid") is not None:
                    value = self.resolve(order, tables, "debug_annotation_string_values",
                                         field(v, "string_value_iid"))
                if value is not None:
                    self.annotations[(str(key), value)] += 1

    def report(self):
        for t in TABLES:
            print("interned", t, self.defined[t])
        for n, c in sorted(self.names.items()):
            print("name", n, c)
        for n, c in sorted(self.categories.items()):
            print("category", n, c)
        for (k, v), c in sorted(self.annotations.items()):
            print("annotation", k, v, c)
        print("literal_strings", self.literals)
        for err in self.errors[:10]:
            print(err, file=sys.stderr)
        return bool(self.errors)


def main():
    packets = [v for k, v in parse(sys.stdin) if k == "packet"]
    names, counters = {}, set()
    interning = Interning()
    events = collections.defaultdict(list)  # uuid -> [(ts, order, type, value)]
    for order, p in enumerate(packets):
        tables = interning.packet(order, p)
        d = field(p, "track_descriptor")
        if d is not None:
            names[field(d, "uuid")] = field(d, "name")
            if field(d, "counter") is not None:
                counters.add(field(d, "uuid"))
        e = field(p, "track_event")
        if e is not None and tables is not None:
            interning.event(order, tables, e)
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
    bad = interning.report() or bad
    sys.exit(1 if bad else 0)


main()
