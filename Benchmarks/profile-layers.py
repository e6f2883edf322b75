#!/usr/bin/env python3
"""Instructions per poll by layer, from a callgrind profile of `reelwatch run` (see profile-track.sh).

    profile-layers.py CALLGRIND_OUT INCLUSIVE_TXT POLLS

INCLUSIVE_TXT is `callgrind_annotate --inclusive=yes --threshold=100 | swift demangle --simplified`.
Prints three tables:
  1. where the instructions run (self cost by library or Swift module; sums to the total),
  2. what they are spent on (inclusive cost of synchronous entry points; rows nest, so they do not sum),
  3. SQLite work per poll (statements compiled, stepped, transactions), from the call counts.
Async functions are left out of table 2: callgrind charges each resumed part of one to the executor that ran it.
"""
import re
import subprocess
import sys
from collections import defaultdict

profile, inclusive_path, polls = sys.argv[1], sys.argv[2], int(sys.argv[3])

# --- read the profile: self cost and call counts per function -------------------------------------------------
names = {}  # "(id)" -> name, for callgrind's name compression
objects = {}
self_cost = defaultdict(int)
obj_of = {}
calls_to = defaultdict(int)
total = 0


def resolve(table, text):
    match = re.match(r"\((\d+)\)(?: (.*))?", text)
    if not match:
        return text
    if match.group(2) is not None:
        table[match.group(1)] = match.group(2)
    return table[match.group(1)]


current_fn = current_obj = None
pending_call = None  # the callee of the cost line that follows a calls= line (inclusive, not self)
call_obj = None
with open(profile, errors="replace") as lines:
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("ob="):
            current_obj = resolve(objects, line[3:])
        elif line.startswith("fn="):
            current_fn = resolve(names, line[3:])
            obj_of.setdefault(current_fn, current_obj)
        elif line.startswith("cob="):
            call_obj = resolve(objects, line[4:])
        elif line.startswith("cfn="):
            pending_call = resolve(names, line[4:])
        elif line.startswith("calls="):
            calls_to[pending_call] += int(line[6:].split()[0])
            pending_call = ("inclusive", pending_call)
        elif line and (line[0].isdigit() or line[0] in "+-*"):
            parts = line.split()
            cost = int(parts[1]) if len(parts) > 1 else 0
            if isinstance(pending_call, tuple):
                pending_call = None  # the cost of a call: not this function's own
                continue
            self_cost[current_fn] += cost
            total += cost
        elif line.startswith("summary:") or line.startswith("totals:"):
            pass


def per_poll(cost):
    return cost / polls


# --- 1. self cost by library or Swift module -----------------------------------------------------------------
MODULE_GROUPS = [
    (r"^(GRDB)$", "GRDB (Swift side of the store)"),
    (r"^_?NIO", "SwiftNIO (event loops, channels, HTTP/1 codec)"),
    (r"^AsyncHTTPClient$", "AsyncHTTPClient"),
    (r"^ReelWatchStore$", "reelwatch: ReelWatchStore"),
    (r"^(ReelWatchDaemon|reelwatch)$", "reelwatch: daemon and CLI (engine)"),
    (r"^ReelWatch$", "reelwatch: ReelWatch library (status client, decoding, downloads)"),
    (r"^Logging$", "swift-log"),
    (r"^(Crypto|_CryptoExtras)$", "swift-crypto (Swift side)"),
]
LIBRARY_GROUPS = [
    ("libsqlite3", "SQLite (C)"),
    ("libswiftCore", "Swift runtime and stdlib (ARC, allocation, generics, String, Hasher)"),
    ("libswift_Concurrency", "Swift concurrency runtime (task switches, groups)"),
    ("libFoundationEssentials", "Foundation Essentials (JSONEncoder/JSONDecoder, URLComponents, dates)"),
    ("libFoundation.so", "Foundation (NSString bridging: trimming, searching, percent-decoding)"),
    ("lib_FoundationICU", "Foundation ICU"),
    ("libFoundationInternationalization", "Foundation ICU"),
    ("libc.so", "libc (malloc/free, memcpy, mutexes)"),
    ("libdispatch", "Dispatch"),
    ("libswiftDispatch", "Dispatch"),
    ("ld-linux", "dynamic loader (TLS lookups)"),
]


def module_of(symbol):
    """The Swift module a mangled symbol belongs to ($s4GRDB8Database... -> GRDB)."""
    match = re.match(r"\$s(\d+)", symbol)
    if not match:
        return None
    start = match.end()
    return symbol[start : start + int(match.group(1))]


groups = defaultdict(int)
for fn, cost in self_cost.items():
    obj = obj_of.get(fn) or "???"
    label = None
    for needle, name in LIBRARY_GROUPS:
        if needle in obj:
            label = name
            break
    if label is None and obj.endswith("reelwatch-nodebug"):
        if "BoringSSL" in fn or "sha256" in fn:
            label = "swift-crypto (BoringSSL: SHA-256 of downloads)"
        else:
            module = module_of(fn)
            label = "other Swift packages in the binary"
            for pattern, name in MODULE_GROUPS:
                if module and re.search(pattern, module):
                    label = name
                    break
            if module is None:
                label = "C code in the binary (BoringSSL, NIO's C shims)"
    groups[label or "other libraries"] += cost

print(f"total: {total:,} instructions, {polls:,} polls: {per_poll(total):,.0f} instructions per poll")
print()
print("| where the instructions run (self cost) | instructions per poll | share |")
print("|---|---:|---:|")
for label, cost in sorted(groups.items(), key=lambda item: -item[1]):
    print(f"| {label} | {per_poll(cost):,.0f} | {100 * cost / total:.1f} % |")

# --- 2. inclusive cost of synchronous entry points -------------------------------------------------------------
inclusive = defaultdict(int)
with open(inclusive_path, errors="replace") as lines:
    for line in lines:
        match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?:(.*) \[(.*)\]$", line)
        if match:
            cost = int(match.group(1).replace(",", ""))
            name = match.group(2)
            # Several symbols demangle alike (a function and its specializations, resumed parts): the largest.
            inclusive[name] = max(inclusive[name], cost)

CAUSES = [
    # (depth, label, names: the largest entry among them)
    (0, "store: all work on GRDB's database threads", ["closure #1 in SerializedDatabase.execute<A>(_:)"]),
    (1, "compiling SQL statements (sqlite3_prepare_v3)", ["sqlite3_prepare_v3"]),
    (1, "decoding stored snapshots and meta (JSONDecoder)", ["JSONDecoder.decode<A>(_:from:)"]),
    (2, "of which ISO 8601 dates", ["specialized ISO8601Timestamp.init(from:)", "ISO8601Timestamp.init(from:)"]),
    (0, "store: encoding snapshots for record (JSONEncoder)", ["JSONEncoder.encode<A>(_:)"]),
    (0, "HTTP: NIO event-loop threads (AsyncHTTPClient, HTTP/1, sockets, download writes)",
     ["SelectableEventLoop.run()"]),
    (0, "status answers: JSON parsing (JSONParser)", ["specialized static JSONParser.parse(_:)", "static JSONParser.parse(_:)"]),
    (0, "status answers: detail answer to snapshot", ["specialized static HeyGenVideoFields.snapshot(_:ref:httpStatus:)",
                                                      "static HeyGenVideoFields.snapshot(_:ref:httpStatus:)"]),
    (1, "signed-URL expiry (URLComponents, percent-decoding)", ["specialized static SignedURLExpiry.expiry(of:)",
                                                               "static SignedURLExpiry.expiry(of:)"]),
    (1, "file extension of each link", ["specialized static Asset.pathExtension(of:)", "static Asset.pathExtension(of:)",
                                         "specialized static Asset.asciiPathExtension(of:)",
                                         "static Asset.asciiPathExtension(of:)"]),
    (0, "status answers: bulk page to statuses", ["specialized HeyGenV3Provider.bulkStatusPage(from:ref:httpStatus:)",
                                                  "HeyGenV3Provider.bulkStatusPage(from:ref:httpStatus:)"]),
    (0, "status answers: secret redaction of each snapshot", ["JobSnapshot.redacting(_:)"]),
    (0, "downloads: SHA-256 (BoringSSL)", ["closure #2 in BackgroundHasher.send(_:)"]),
    (0, "downloads: planning (file names, extensions)", ["static Downloader.plan(_:selection:directory:naming:)"]),
    (0, "downloads: NSString.pathExtension of each file name (Downloader)", ["NSString.pathExtension.getter"]),
    (0, "logging: metadata set per request (swift-log StreamLogHandler)", ["Logger.subscript.setter"]),
    (0, "event lines on stdout (TrackerEventPrinter)", ["TrackerEventPrinter.print(_:)"]),
]
print()
print("| what they are spent on (inclusive; rows nest) | instructions per poll | share |")
print("|---|---:|---:|")
for depth, label, candidates in CAUSES:
    cost = max((inclusive.get(name, 0) for name in candidates), default=0)
    print(f"| {'↳ ' * depth}{label} | {per_poll(cost):,.0f} | {100 * cost / total:.1f} % |")

# --- 3. SQLite work per poll ------------------------------------------------------------------------------------
print()
print("| SQLite per poll | calls |")
print("|---|---:|")
for label, name in [
    ("statements compiled (sqlite3_prepare_v3)", "sqlite3_prepare_v3"),
    ("steps (sqlite3_step: one per row, and one to end each statement)", "sqlite3_step"),
]:
    print(f"| {label} | {calls_to.get(name, 0) / polls:.2f} |")
transactions = sum(count for name, count in calls_to.items() if name and "16beginTransaction" in name)
print(f"| transactions (GRDB Database.beginTransaction) | {transactions / polls:.2f} |")
