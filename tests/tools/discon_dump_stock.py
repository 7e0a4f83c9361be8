#!/usr/bin/env python3
"""discon-dump against the stock tools: for each committed trace, every
event that `cat FILES | lz4 -dc | protoc --decode=discon.Trace` shows,
decoded here independently from protoc's text (absolute times and PCs
rebuilt from the delta columns as schema/discon.proto documents them), must
be exactly the events `discon-dump --format csv` prints, field by field and
in order. Then: JSON lines parse and agree with CSV; --vcpu/--type/--from/
--to select exactly the matching subset; --traps covers every event once;
exit codes for damaged, empty and missing input.

Environment: DUMP (discon-dump), SRCDIR, EDGE (make_edge_traces: a trace
with a loss record, a vCPU 0xffffffff, an event before the clock reference,
an x86 exception whose delivery is in the next file)."""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

DUMP = os.environ["DUMP"]
SRC = os.environ["SRCDIR"]
SCHEMA = os.path.join(SRC, "schema")
DATA = os.path.join(SRC, "tests", "data")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


def type_names():
    """Type value -> name, read from the one table (schema/discon_types.h)."""
    text = open(os.path.join(SCHEMA, "discon_types.h")).read()
    rows = re.findall(r'X\((\w+),\s*(\d+)u?,\s*"(\w+)"\)', text)
    if len(rows) < 3:
        sys.exit("FAIL: cannot read the types table")
    return {int(value): name for _, value, name in rows}


TYPES = type_names()
MASK64 = (1 << 64) - 1


def protoc_text(files):
    raw = b"".join(open(f, "rb").read() for f in files)
    lz4 = subprocess.run(["lz4", "-dc"], input=raw, capture_output=True, check=True)
    out = subprocess.run(["protoc", "--proto_path=" + SCHEMA, "--decode=discon.Trace",
                          os.path.join(SCHEMA, "discon.proto")],
                         input=lz4.stdout, capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def parse_text_format(text):
    """protoc's text format -> nested dicts of lists (every field a list)."""
    root, stack = {}, []
    node = root
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            node = stack.pop()
        elif line.endswith("{"):
            child = {}
            node.setdefault(line[:-1].strip(), []).append(child)
            stack.append(node)
            node = child
        else:
            key, _, value = line.partition(": ")
            node.setdefault(key, []).append(value)
    return root


def one(msg, key, default=0):
    """A scalar field; proto3 omits fields holding their default."""
    return int(msg[key][0]) if key in msg else default


def decode_batch(b):
    vcpu, seq = one(b, "vcpu"), one(b, "first_seq")
    time, order, delta, pc = one(b, "base_time_ns"), one(b, "time_order"), 0, 0
    deltas = [int(v) for v in b.get("time_delta", [])]
    froms = [int(v) for v in b.get("from_delta", [])]
    types = [int(v) for v in b.get("type", [])]
    refs = [int(v) for v in b.get("to_ref", [])]
    handlers = [int(v) for v in b.get("handler", [])]
    causes = decode_causes(b, len(deltas))
    events = []
    for i, d in enumerate(deltas):
        delta = delta + d if order == 2 else d
        time += delta
        pc = (pc + froms[i]) & MASK64
        to = pc if refs[i] == 0 else handlers[refs[i] - 1]
        events.append((vcpu, seq + i, time, TYPES[types[i]], pc, to) + causes[i])
    return events


def decode_causes(b, n):
    """Each event's cause fields as discon-dump's CSV shows them (cause and
    fault address in hex, the rest in decimal, '' for none), from the `has`
    column and the value columns as discon.proto documents them."""
    col = lambda key: [int(v) for v in b.get(key, [])] or [0] * n
    has, legacy = col("has"), col("legacy_cause")
    cause, fault_delta, syscall = col("cause"), col("fault_delta"), col("syscall")
    to_level, from_level = col("to_level"), col("from_level")
    out, fault = [], 0
    for i in range(n):
        h = has[i]
        c = cause[i]
        if legacy[i] and not h & 1:  # format 1's column
            h, c = h | 1, legacy[i]
        if h & 2:
            fault = (fault + fault_delta[i]) & MASK64
        out.append(("0x%x" % c if h & 1 else "", "0x%x" % fault if h & 2 else "",
                    str(syscall[i]) if h & 4 else "", str(to_level[i]) if h & 8 else "",
                    str(from_level[i]) if h & 16 else ""))
    return out


CAUSE_FIELDS = ("cause", "fault_addr", "syscall", "to_level", "from_level")


def stock_records(files):
    """Events and losses in file order, and the trace's start (its clock)."""
    trace = parse_text_format(protoc_text(files))
    records, start = [], None
    for p in trace.get("packet", []):
        if "header" in p and start is None:
            start = one(p["header"][0]["clock"][0], "monotonic_ns")
        for b in p.get("events", []):
            records += [("event",) + e for e in decode_batch(b)]
        for l in p.get("loss", []):
            records.append(("loss", one(l, "vcpu"), one(l, "first_seq"), one(l, "count")))
    return records, start


def run_dump(args, check_rc=0):
    r = subprocess.run([DUMP] + args, capture_output=True, text=True)
    if check_rc is not None and r.returncode != check_rc:
        fail("discon-dump %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r


def csv_rows(args):
    return list(csv.DictReader(io.StringIO(run_dump(["--format", "csv"] + args).stdout)))


def seconds(ns):
    sign = "-" if ns < 0 else ""
    return "%s%d.%09d" % (sign, abs(ns) // 10**9, abs(ns) % 10**9)


def dumped_records(rows, start):
    out = []
    for r in rows:
        if r["record"] == "event":
            t = int(r["time_ns"])
            if r["time_s"] != seconds(t - start):
                fail("time_s %s of vcpu %s seq %s is not (time_ns - start)" % (r["time_s"], r["vcpu"], r["seq"]))
            out.append(("event", int(r["vcpu"]), int(r["seq"]), t, r["type"],
                        int(r["from_pc"], 16), int(r["to_pc"], 16))
                       + tuple(r[k] for k in CAUSE_FIELDS))
        elif r["record"] == "loss":
            out.append(("loss", int(r["vcpu"]), int(r["seq"]), int(r["events"])))
        else:
            fail("unexpected %s row in an intact trace" % r["record"])
    return out


def check_against_stock(name, paths, files, min_events=1000):
    stock, start = stock_records(files)
    rows = csv_rows(paths)
    dumped = dumped_records(rows, start)
    nev = sum(1 for r in stock if r[0] == "event")
    if nev < min_events:
        fail("%s: protoc showed only %d events" % (name, nev))
    if dumped != stock:
        diff = next((i for i, (a, b) in enumerate(zip(dumped, stock)) if a != b), min(len(dumped), len(stock)))
        fail("%s: discon-dump and protoc differ at record %d: %s vs %s (counts %d, %d)" % (
            name, diff, dumped[diff] if diff < len(dumped) else None,
            stock[diff] if diff < len(stock) else None, len(dumped), len(stock)))
    else:
        print("ok: %s: discon-dump prints the %d events protoc shows, field by field" % (name, nev))
    return rows


def check_json(name, paths, rows):
    lines = run_dump(["--format", "json"] + paths).stdout.splitlines()
    objs = [json.loads(l) for l in lines]
    if len(objs) != len(rows):
        fail("%s: %d JSON lines, %d CSV rows" % (name, len(objs), len(rows)))
    for o, r in zip(objs, rows):
        if (o["record"], o["vcpu"], o["seq"], o["time_ns"], o["type"], int(o["from_pc"], 16),
                int(o["to_pc"], 16)) != (r["record"], int(r["vcpu"]), int(r["seq"]),
                                         int(r["time_ns"]), r["type"], int(r["from_pc"], 16),
                                         int(r["to_pc"], 16)):
            fail("%s: JSON %s disagrees with CSV %s" % (name, o, r))
            break
        if tuple(str(o.get(k, "")) for k in CAUSE_FIELDS) != tuple(r[k] for k in CAUSE_FIELDS):
            fail("%s: JSON cause fields of %s disagree with CSV %s" % (name, o, r))
            break
    else:
        print("ok: %s: %d JSON lines parse and agree with CSV" % (name, len(objs)))


def check_text(name, paths, rows):
    """Text: a '#' header, then one line per event with the same fields."""
    lines = run_dump(paths).stdout.splitlines()
    if not lines or not lines[0].startswith("#"):
        fail("%s: text output has no header line" % name)
        return
    got = []
    for l in lines[1:]:
        # vcpu seq time_ns time_s type from -> to cause fault_addr syscall to_level from_level
        f = l.split()
        got.append((f[0], f[1], f[2], f[4], int(f[5], 16), int(f[7], 16))
                   + tuple("" if v == "-" else v for v in f[8:13]))
    want = [(r["vcpu"], r["seq"], r["time_ns"], r["type"], int(r["from_pc"], 16),
             int(r["to_pc"], 16)) + tuple(r[k] for k in CAUSE_FIELDS) for r in rows]
    if got != want:
        fail("%s: text lines (%d) differ from CSV rows (%d)" % (name, len(got), len(want)))
    else:
        print("ok: %s: %d text lines agree with CSV" % (name, len(got)))


def in_order(names, order):
    """names is a subsequence of order: the same names, the same order."""
    it = iter(order)
    return all(n in it for n in names)


def check_names(name, paths):
    """One list of fields: CSV's header, the text header's columns, JSON's
    keys (of events, traps and losses alike) and --help's list name the
    same fields in the same order."""
    before = failures
    for mode in ([], ["--traps"]):
        header = run_dump(["--format", "csv"] + mode + paths).stdout.split("\n", 1)[0].split(",")
        text = run_dump(mode + paths).stdout.split("\n", 1)[0].lstrip("#").split()
        if not text or not in_order(text, header):
            fail("%s %s: text columns %s not in CSV's order %s" % (name, mode, text, header))
        for line in run_dump(["--format", "json"] + mode + paths).stdout.splitlines()[:50]:
            keys = list(json.loads(line))
            if not in_order(keys, header):
                fail("%s %s: JSON keys %s not CSV's fields %s in order" % (name, mode, keys, header))
                break
    usage = run_dump(["--help"]).stdout
    helped = re.search(r"Fields, in this order in every format:\s*([\w,\s]+?)\.", usage)
    if not helped or re.split(r",\s*", helped.group(1).strip()) != header:
        fail("--help does not list the fields %s" % header)
    if "recorded order" not in usage:
        fail("--help does not say lines come in recorded order, not merged by time")
    if failures == before:
        print("ok: %s: CSV, text, JSON and --help name the fields alike, in one order" % name)


def check_filters(name, paths, rows):
    events = [r for r in rows if r["record"] == "event"]
    last = max(float(r["time_s"]) for r in events)
    third, half = "%.3f" % (last / 3), "%.3f" % (last / 2)  # as given on the command line
    cases = [
        (["--vcpu", "1"], lambda r: r["vcpu"] == "1"),
        (["--vcpu", "0"], lambda r: r["vcpu"] == "0"),
        (["--type", "exception"], lambda r: r["type"] == "exception"),
        (["--type", "interrupt+hostcall"], lambda r: r["type"] in ("interrupt", "hostcall")),
        (["--type", "all"], lambda r: True),
        (["--from", third, "--to", half],
         lambda r: float(third) <= float(r["time_s"]) < float(half)),
        (["--vcpu", "0", "--type", "exception", "--from", half],
         lambda r: r["vcpu"] == "0" and r["type"] == "exception" and float(r["time_s"]) >= float(half)),
    ]
    before = failures
    for args, keep in cases:
        want = [r for r in events if keep(r)]
        got = [r for r in csv_rows(args + paths) if r["record"] == "event"]
        if got != want or not want:
            fail("%s: %s printed %d events, the subset has %d" % (name, " ".join(args), len(got), len(want)))
    if failures == before:
        print("ok: %s: %d filter combinations select exactly their subset" % (name, len(cases)))


def check_traps(name, paths, rows):
    traps = csv_rows(["--traps"] + paths)
    covered = sum(int(t["events"]) for t in traps if t["record"] == "trap")
    events = sum(1 for r in rows if r["record"] == "event")
    if covered != events or not traps:
        fail("%s: traps cover %d events of %d" % (name, covered, events))
    else:
        print("ok: %s: %d traps cover the %d events once each" % (name, len(traps), events))
    return traps


def check_edges(tmp):
    subprocess.run([os.environ["EDGE"], tmp], check=True)
    loss = os.path.join(tmp, "loss.discon")
    rows = check_against_stock("loss", [loss], [loss], min_events=4)
    kinds = [(r["record"], r["seq"], r["events"]) for r in rows]
    if kinds != [("event", "0", "1"), ("event", "1", "1"), ("loss", "2", "5"),
                 ("event", "7", "1"), ("event", "8", "1")]:
        fail("loss trace: rows %s" % kinds)
    if "\nloss vcpu 0 seq 2 events 5 at 0.000000250\n" not in run_dump([loss]).stdout:
        fail("loss trace: no loss line in text")
    lost = [o for o in map(json.loads, run_dump(["--format", "json", loss]).stdout.splitlines())
            if o["record"] == "loss"]
    if [(o.get("seq"), o.get("events")) for o in lost] != [(2, 5)]:
        fail("loss trace: JSON loss rows %s (the count is 'events', as in CSV)" % lost)
    edge = {(r["vcpu"], r["seq"]): r for r in csv_rows([os.path.join(tmp, "edge.discon")])}
    if edge.get(("1", "0"), {}).get("time_s") != "-1.000000000" or ("4294967295", "1") not in edge:
        fail("edge trace: %s" % edge)
    traps = csv_rows(["--traps", os.path.join(tmp, "pair")])
    got = [(t["record"], t["type"], t["from_pc"], t["to_pc"], t["events"], t["cause"]) for t in traps]
    if got != [("trap", "exception", "0x401004", "0xffffffff81e01280", "2", "")]:
        fail("an exception delivered in the next file is not one trap: %s" % got)
    print("ok: a loss row in sequence, a negative time, vCPU 0xffffffff, a trap across files")
    causes = os.path.join(tmp, "causes.discon")
    rows = check_against_stock("causes", [causes], [causes], min_events=10)
    check_json("causes", [causes], rows)
    check_text("causes", [causes], rows)
    got = [tuple(r[k] for k in CAUSE_FIELDS) for r in rows if r["record"] == "event"]
    want = [("0x56000000", "", "0", "1", ""), ("", "", "", "1", ""),
            ("0x96000045", "0xffff800012345678", "", "1", "1"), ("", "", "", "", ""),
            ("0x92000007", "0x400000", "", "1", "0"), ("0x56000000", "", "172", "1", ""),
            ("0x%x" % MASK64, "", "", "", ""), ("", "0x0", "", "", ""),
            ("", "", str(MASK64), "", ""), ("", "", "", "", "3")]
    if got != want:
        fail("causes trace: cause fields %s, written %s" % (got, want))
    else:
        print("ok: cause fields (none, each alone, 0 and 2^64-1) read back as written, in every format")


def check_exit_codes(tmp):
    src = os.path.join(DATA, "aarch64-boot.discon")
    data = bytearray(open(src, "rb").read())
    data[len(data) // 2] ^= 0x20
    bad = os.path.join(tmp, "damaged.discon")
    open(bad, "wb").write(data)
    r = run_dump(["--format", "csv", bad], check_rc=3)
    if not any(l.startswith("damage,") for l in r.stdout.splitlines()):
        fail("a damaged trace printed no damage row")
    text = run_dump([bad], check_rc=3).stdout
    if "\ndamage " not in text:
        fail("a damaged trace printed no damage line in text")
    empty = os.path.join(tmp, "empty.discon")
    open(empty, "wb").close()
    for args, rc in (([empty], 3), ([os.path.join(tmp, "missing")], 1), (["--vcpu", "x", src], 2),
                     (["--type", "sycall", src], 2), (["--format", "xml", src], 2), ([], 2)):
        r = run_dump(args, check_rc=rc)
        if len(r.stderr.strip().splitlines()) != 1:
            fail("discon-dump %s: not one line of error: %r" % (args, r.stderr))
    print("ok: exit 3 with damage rows for a damaged trace; 1 and 2 with one-line errors")
    # A database (trace2sqlite's output is SQLite) where a trace goes: one
    # line that says what it is and what reads it, not only "not a trace".
    db = os.path.join(tmp, "boot.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    r = run_dump([db], check_rc=1)
    want = "discon-dump: %s: a database (SQLite, as trace2sqlite writes), not a discon " \
           "trace: read it with discon-report %s, or sqlite3" % (db, db)
    if r.stderr.strip() != want:
        fail("discon-dump on a database: %r, expected %r" % (r.stderr, want))
    print("ok: a database is named as one, with what reads it")


def main():
    x86_dir = os.path.join(DATA, "x86_64-boot")
    inputs = [
        ("aarch64-boot", [os.path.join(DATA, "aarch64-boot.discon")]),
        ("x86_64-boot", [x86_dir]),
    ]
    for name, paths in inputs:
        files = paths if paths[0].endswith(".discon") else sorted(
            os.path.join(x86_dir, f) for f in os.listdir(x86_dir) if f.endswith(".discon"))
        rows = check_against_stock(name, paths, files)
        check_json(name, paths, rows)
        check_text(name, paths, rows)
        check_names(name, paths)
        check_filters(name, paths, rows)
        traps = check_traps(name, paths, rows)
        if name == "x86_64-boot" and not any(t["events"] == "2" for t in traps):
            fail("x86: no exception was paired with its delivery")
    with tempfile.TemporaryDirectory() as tmp:
        check_exit_codes(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        check_edges(tmp)
    if failures:
        print("%d failure(s)" % failures)
        sys.exit(1)


main()
