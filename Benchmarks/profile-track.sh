#!/usr/bin/env bash
# Profiles `reelwatch run` in the track benchmark with callgrind: instructions per poll, by layer.
#
#   Benchmarks/profile-track.sh [JOBS]        # default 2000 jobs; ~5 min on 2 cores
#
# The benchmark (and the simulator inside it) runs natively; only the `reelwatch run` process it starts runs under
# callgrind: a copy of reelwatch-bench is put beside a `reelwatch` that execs valgrind on the real one, and the
# benchmark finds its `reelwatch` beside itself. So the counts are the client's alone, none of the simulator's.
# Then the same run natively under `perf record` (cpu-clock samples, kernel included), which callgrind cannot see.
#
# Writes to $OUT (default .build/profile-track):
#   bench.txt            the benchmark's output (its "polls" line gives the divisor)
#   callgrind.out        the raw profile (open with kcachegrind or callgrind_annotate)
#   inclusive.txt        callgrind_annotate --inclusive=yes, demangled
#   self.txt             callgrind_annotate (self cost), demangled
#   layers.txt           Benchmarks/profile-layers.py: instructions per poll by layer (what the README table shows)
#   perf-bench.txt       the native run (CPU per poll without valgrind)
#   perf-dso.txt         perf's split of that run's CPU samples by library, the kernel included (callgrind sees
#                        user space only); perf-kernel.txt: the kernel's top functions
# PERF=0 skips the perf run; REELWATCH_BIN=PATH profiles another build of reelwatch (an earlier one, to compare).
# The mix of polls depends a little on timing (how many jobs are still rendering when first asked), so compare
# per-poll figures between runs, not totals.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-2000}
out=${OUT:-$PWD/.build/profile-track}

swift build -c release --product reelwatch
swift build -c release --product reelwatch-bench
bin=$(swift build -c release --show-bin-path)

rm -rf "$out"
mkdir -p "$out/bin"
cp "$bin/reelwatch-bench" "$out/bin/reelwatch-bench"
# Valgrind 3.19 gives up on the release binary's debug info ("Possibly corrupted debuginfo file"; it mixes DWARF 4
# and 5): profile a copy without it (function names come from the symbol table; no source lines).
strip --strip-debug -o "$out/bin/reelwatch-nodebug" "${REELWATCH_BIN:-$bin/reelwatch}"
# And it writes into the signal mask given to rt_sigsuspend, which is read-only in libdispatch (dispatch_main, which
# an async main ends in, waits there): valgrind dies with SIGSEGV at once. This shim passes it a copy.
cat > "$out/bin/sigsuspend-copy.c" <<'EOF'
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, 8);
}
EOF
cc -shared -fPIC -O2 -o "$out/bin/sigsuspend-copy.so" "$out/bin/sigsuspend-copy.c"
cat > "$out/bin/reelwatch" <<EOF
#!/bin/sh
LD_PRELOAD="$out/bin/sigsuspend-copy.so" exec valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out/callgrind.out" "$out/bin/reelwatch-nodebug" "\$@"
EOF
chmod +x "$out/bin/reelwatch"

# Callgrind runs the client's threads one at a time, ~50x slower: the simulated renders (5-20 min at x60, so
# 5-20 s) are mostly done when first asked, as they are at 100,000 jobs natively.
"$out/bin/reelwatch-bench" track --jobs "$jobs" --no-bulk-jobs 0 --directory "$out/work" | tee "$out/bench.txt"
polls=$(sed -n 's/^reelwatch run: \([0-9]*\) polls.*/\1/p' "$out/bench.txt")

callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out" | swift demangle --simplified \
    > "$out/inclusive.txt"
callgrind_annotate --threshold=100 "$out/callgrind.out" | swift demangle --simplified > "$out/self.txt"
python3 Benchmarks/profile-layers.py "$out/callgrind.out" "$out/inclusive.txt" "$polls" | tee "$out/layers.txt"

if [ "${PERF:-1}" != 0 ] && command -v perf > /dev/null; then
    # Not `perf record CMD`: the benchmark starts its children with SIGINT blocked (Foundation's Process spawns
    # from a Dispatch thread, whose signal mask they inherit), so perf never sees the SIGINT that ends the run, and
    # neither would a shell passing it on. perf attaches to this shell instead, which then becomes reelwatch (which
    # unblocks and catches its signals itself); perf stops when it exits.
    cat > "$out/bin/reelwatch" <<EOF
#!/bin/sh
perf record -q -e cpu-clock -F 2000 -p \$\$ -o "$out/perf.data" 2> /dev/null &
echo \$! > "$out/perf.pid"
sleep 1
exec "${REELWATCH_BIN:-$bin/reelwatch}" "\$@"
EOF
    "$out/bin/reelwatch-bench" track --jobs "$jobs" --no-bulk-jobs 0 --directory "$out/work" > "$out/perf-bench.txt"
    perf=$(cat "$out/perf.pid")
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$perf" 2> /dev/null || break; sleep 1; done
    if kill -0 "$perf" 2> /dev/null; then kill -INT "$perf"; sleep 2; fi
    perf report -i "$out/perf.data" --sort dso --stdio 2> /dev/null | grep -v '^#' | grep -v '^$' | head -12 \
        | tee "$out/perf-dso.txt"
    perf report -i "$out/perf.data" --dsos '[kernel.kallsyms]' --sort sym --stdio 2> /dev/null | grep -v '^#' \
        | grep -v '^$' | head -15 | tee "$out/perf-kernel.txt"
fi
rm -rf "$out/bin"
