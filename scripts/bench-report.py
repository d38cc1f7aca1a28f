#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the CSV rows of bench/uio-dmabuf-bench into the benchmark's report.

Usage: bench-report.py OUTDIR DATA...
Each DATA file is a guest's data channel (lines "csv,LABEL,SECTION,..."). Writes
OUTDIR/results.csv (every row), OUTDIR/summary.md (the targets of the
benchmark, each met or missed with its ratio, and the tables), and, when
gnuplot is installed, OUTDIR/{roundtrip,oldway,segments}.png. Every ratio is
taken between figures of the same boot (the same LABEL).
"""
import collections
import os
import shutil
import subprocess
import sys

FIELDS = ["label", "section", "exporter", "size", "segments", "metric",
          "median_ns", "min_ns", "max_ns", "reps"]
Row = collections.namedtuple("Row", FIELDS)


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.strip().split(",")
                if parts[0] != "csv" or len(parts) != len(FIELDS) + 1:
                    continue
                r = parts[1:]
                rows.append(Row(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5],
                                int(r[6]), int(r[7]), int(r[8]), int(r[9])))
    return rows


def size_text(n):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return str(n)


def us(ns):
    return f"{ns / 1000:.1f}"


class Report:
    def __init__(self, rows):
        self.rows = rows
        self.by = {(r.label, r.section, r.exporter, r.size, r.metric): r for r in rows}
        self.labels = list(dict.fromkeys(r.label for r in rows))
        self.lines = []
        self.verdicts = []

    def get(self, label, section, exporter, size, metric):
        return self.by.get((label, section, exporter, size, metric))

    def target(self, label, name, ratio, limit, wanted_le=True, why=""):
        if ratio is None:
            return
        met = ratio <= limit if wanted_le else ratio >= limit
        sign = "<=" if wanted_le else ">="
        self.verdicts.append((label, name, ratio, f"{sign} {limit}", met, why))

    def roundtrip(self, label):
        sizes = sorted({r.size for r in self.rows
                        if r.label == label and r.section == "roundtrip"})
        exporters = list(dict.fromkeys(r.exporter for r in self.rows
                                       if r.label == label and r.section == "roundtrip"))
        out = [f"| exporter | size | segments | round trip µs (min-max) | floor µs | "
               f"in-kernel floor µs | floor in two calls µs | with the duties µs | "
               f"round trip / floor | floor in two calls / floor | with the duties / floor | "
               f"round trip / floor in two calls |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        worst = worst_pair = worst_over = worst_duties = None
        for e in exporters:
            for s in sizes:
                rt = self.get(label, "roundtrip", e, s, "roundtrip")
                fl = self.get(label, "roundtrip", e, s, "floor")
                kf = self.get(label, "roundtrip", e, s, "floor_kernel")
                fp = self.get(label, "roundtrip", e, s, "floor_pair")
                fd = self.get(label, "roundtrip", e, s, "floor_duties")
                if not rt or not fl:
                    continue
                ratio = rt.median_ns / fl.median_ns
                pair = fp.median_ns / fl.median_ns if fp else None
                over = rt.median_ns / fp.median_ns if fp else None
                duties = fd.median_ns / fl.median_ns if fd else None
                out.append(f"| {e} | {size_text(s)} | {rt.segments} | {us(rt.median_ns)} "
                           f"({us(rt.min_ns)}-{us(rt.max_ns)}) | {us(fl.median_ns)} | "
                           f"{us(kf.median_ns) if kf else '-'} | "
                           f"{us(fp.median_ns) if fp else '-'} | "
                           f"{us(fd.median_ns) if fd else '-'} | {ratio:.2f} | "
                           f"{f'{pair:.2f}' if pair else '-'} | "
                           f"{f'{duties:.2f}' if duties else '-'} | "
                           f"{f'{over:.2f}' if over else '-'} |")
                worst = max(worst or 0, ratio)
                if pair:
                    worst_pair = max(worst_pair or 0, pair)
                    worst_over = max(worst_over or 0, over)
                if duties:
                    worst_duties = max(worst_duties or 0, duties)
        self.target(label, "round trip / floor, every size and exporter (worst)", worst, 1.5)
        self.target(label, "(bound) the floor in two calls / floor, every size and exporter "
                    "(worst): the least any driver that keeps an import between two calls "
                    "costs", worst_pair, 1.5)
        self.target(label, "(bound) the floor in two calls with the driver's duties / floor, "
                    "every size and exporter (worst): above 1.5, the duplicate check, the "
                    "per-user charge and the fence check, with the driver's structures, "
                    "leave no room for the target", worst_duties, 1.5)
        self.target(label, "(for comparison) round trip / the floor in two calls, every size "
                    "and exporter (worst): what the driver does beyond that least", worst_over,
                    1.1)
        out += ["", "The floor in two calls is the floor module's own IMPORT and RELEASE "
                "(bench/kernel): the floor's first half, a record under a handle in a "
                "table of slots with a free list (the driver's kind) and the first segment "
                "copied out, then the record taken back and the "
                "second half. Where it is above 1.5x the floor, no driver that keeps an import "
                "between two calls can meet the round-trip target. With the duties, the floor "
                "module's IMPORT_DUTIES also does what the driver must do for every import, "
                "with the driver's structures but not its locking: the buffer entered in a hash "
                "table of the imported buffers under its chain's bit lock (EBUSY for a second import), "
                "its pages charged to the user's locked_vm against RLIMIT_MEMLOCK, and the "
                "kernel fences checked under the reservation lock; RELEASE undoes them. "
                "The last column is what "
                "this driver's own work (its trust checks, accounting, buffer index, fence "
                "check and segment list) adds to it."]
        out += [""] + self.bound(label)
        return out

    def bound(self, label):
        """What two ioctls cost where the floor is one: the lowest ratio possible."""
        # An unknown command (ENOTTY): the entry alone. Not INFO, which also
        # looks at the isolation (behind an IOMMU, the group's devices).
        entry = self.get(label, "ioctls", "system", 4096, "nop")
        parts = [self.get(label, "ioctls", "system", 4096, m) for m in ("import", "release")]
        gs = self.get(label, "ioctls", "system", 4096, "get_segments")
        fl = self.get(label, "roundtrip", "system", 4096, "floor")
        kf = self.get(label, "roundtrip", "system", 4096, "floor_kernel")
        if not (entry and fl and kf and all(parts)):
            return []
        least = (kf.median_ns + 2 * entry.median_ns) / fl.median_ns
        own = sum(p.median_ns for p in parts) - kf.median_ns - 2 * entry.median_ns
        self.target(label, "(bound) least round trip / floor possible at 4 KiB: "
                    "two ioctl entries, no work of the driver", least, 1.5)
        return [f"The round trip is two ioctls where the floor is one: an ioctl that does "
                f"nothing but answer (an unknown command) costs {us(entry.median_ns)} µs here, so with no work "
                f"of the driver at all a 4 KiB system-heap round trip would still be "
                f"{least:.2f}x its floor ({us(fl.median_ns)} µs, {us(kf.median_ns)} µs of it "
                f"in the kernel). IMPORT (with its segment) and RELEASE timed alone "
                f"({', '.join(us(p.median_ns) for p in parts)} µs) leave "
                f"{us(max(own, 0))} µs for the driver's own work: the RLIMIT_MEMLOCK charge "
                f"and uncharge, the handle and buffer tables, the segment array, the fence "
                f"check." + (f" A GET_SEGMENTS alone, which the common case no longer "
                             f"needs, costs {us(gs.median_ns)} µs." if gs else "")]

    def oldway(self, label):
        sizes = sorted({r.size for r in self.rows if r.label == label and r.section == "oldway"})
        out = ["| size | old way µs (mmap + pagemap) | new way µs (alloc + import + "
               "segments + release) | new / old |", "|---|---|---|---|"]
        worst = None
        for s in sizes:
            old = self.get(label, "oldway", "system", s, "old_way")
            new = self.get(label, "oldway", "system", s, "new_way")
            if not old or not new:
                continue
            ratio = new.median_ns / old.median_ns
            worst = max(worst or 0, ratio)
            out.append(f"| {size_text(s)} | {us(old.median_ns)} | {us(new.median_ns)} | "
                       f"{ratio:.2f} |")
        self.target(label, "new way / old way (worst size)", worst, 1.0)
        return out

    def segments(self, label):
        rows = sorted((r for r in self.rows if r.label == label and r.section == "segments"),
                      key=lambda r: r.size)
        rows = [r for r in rows if r.metric == "roundtrip"]
        out = ["| pages | segments | round trip µs | its IMPORT µs | floor µs | "
               "in-kernel floor µs | GET_SEGMENTS of all µs | round trip / floor | "
               "least possible | ns per segment |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        base = None
        worst = None
        worst_floor = None
        worst_bound = None
        for r in rows:
            fl = self.get(label, "segments", r.exporter, r.size, "floor")
            per = r.median_ns / max(r.segments, 1)
            ratio = r.median_ns / fl.median_ns if fl else None
            imp = self.get(label, "segments", r.exporter, r.size, "import")
            kf = self.get(label, "segments", r.exporter, r.size, "floor_kernel")
            gs = self.get(label, "segments", r.exporter, r.size, "get_segments")
            # Two ioctls where the floor has one, and the list copied out: an
            # extra entry plus the copy is what GET_SEGMENTS of the list costs.
            bound = (fl.median_ns + gs.median_ns) / fl.median_ns if fl and gs else None
            out.append(f"| {r.size // 4096} | {r.segments} | {us(r.median_ns)} | "
                       f"{us(imp.median_ns) if imp else '-'} | "
                       f"{us(fl.median_ns) if fl else '-'} | {us(kf.median_ns) if kf else '-'} | "
                       f"{us(gs.median_ns) if gs else '-'} | "
                       f"{f'{ratio:.2f}' if ratio else '-'} | "
                       f"{f'{bound:.2f}' if bound else '-'} | {per:.0f} |")
            if r.segments >= 256:
                base = base or per
                worst = max(worst or 0, per / base)
                if ratio and ratio > (worst_floor or 0):
                    worst_floor, worst_bound = ratio, bound
        self.target(label, "many-segment udmabuf (256 to 65,536 segments): round trip / floor "
                    "(worst)", worst_floor, 1.3)
        self.target(label, "(bound) there: least round trip / floor possible, the floor plus "
                    "an ioctl that copies the segments out", worst_bound, 1.3)
        self.target(label, "cost per segment, 256 to 65,536 segments (worst / at 256)",
                    worst, 1.2)
        return out

    def live(self, label):
        rows = sorted((r for r in self.rows if r.label == label and r.section == "live"
                       and r.metric == "roundtrip"), key=lambda r: r.size)
        out = ["| live imports | round trip µs (min-max) | floor µs |", "|---|---|---|"]
        for r in rows:
            fl = self.get(label, "live", "system", r.size, "floor")
            out.append(f"| {r.size} | {us(r.median_ns)} ({us(r.min_ns)}-{us(r.max_ns)}) | "
                       f"{us(fl.median_ns) if fl else '-'} |")
        if len(rows) > 1 and rows[0].size == 0:
            self.target(label, f"round trip at {rows[-1].size} live imports / at 0",
                        rows[-1].median_ns / rows[0].median_ns, 1.1)
            f0 = self.get(label, "live", "system", 0, "floor")
            fn = self.get(label, "live", "system", rows[-1].size, "floor")
            if f0 and fn:
                self.target(label, f"(for comparison) floor at {rows[-1].size} live imports / at 0",
                            fn.median_ns / f0.median_ns, 1.1)
        return out

    PROCS_WORK = {"system": "round trip", "system-2dev": "round trip",
                  "info": "3 INFO ioctls (ceiling)", "spin": "user-space loop (ceiling)"}

    def procs(self, label):
        rows = {(r.exporter, r.segments): r for r in self.rows
                if r.label == label and r.section == "procs"}
        out = ["| work | processes | devices | ns per operation, all together | "
               "operations / s |", "|---|---|---|---|---|"]
        for (e, n) in sorted(rows, key=lambda k: (list(self.PROCS_WORK).index(k[0])
                                                  if k[0] in self.PROCS_WORK else 9, k[1])):
            r = rows[(e, n)]
            out.append(f"| {self.PROCS_WORK.get(e, e)} | {n} | "
                       f"{2 if e.endswith('-2dev') else 1} | {r.median_ns} | "
                       f"{1e9 / r.median_ns:.0f} |")
        two, two_dev = rows.get(("system", 2)), rows.get(("system-2dev", 2))
        if two and two_dev:
            self.target(label, "2 processes on one device / 2 processes on two devices",
                        two_dev.median_ns / two.median_ns, 0.95, wanted_le=False)
        for e, what in (("system", "(for comparison) throughput of 2 processes / 1"),
                        ("info", "(ceiling) 2 processes / 1 doing INFO ioctls"),
                        ("spin", "(ceiling) 2 processes / 1 in a user-space loop")):
            one, two = rows.get((e, 1)), rows.get((e, 2))
            if one and two:
                self.target(label, what, one.median_ns / two.median_ns, 1.8, wanted_le=False)
        one = rows.get(("system", 1))
        if one and two_dev:
            self.target(label, "(for comparison) 2 processes on 2 devices / 1",
                        one.median_ns / two_dev.median_ns, 1.8, wanted_le=False)
        return out

    def write(self, path, command):
        body = []
        for label in self.labels:
            body += [f"## {label}", ""]
            for title, fn in (("Round trip against the floor", self.roundtrip),
                              ("The old way against the new", self.oldway),
                              ("Segments", self.segments),
                              ("Live imports", self.live),
                              ("Processes", self.procs)):
                table = fn(label)
                if len(table) > 2:
                    body += [f"### {title}", ""] + table + [""]
        head = ["# uio_dmabuf benchmark", "", f"Command: `{command}`", "",
                "Medians of the runs of each row (min-max where shown), measured under "
                "QEMU TCG on the machine that ran the command; every ratio is between "
                "figures of one boot." + (
                    " The guests ran with a virtual clock of one nanosecond per guest "
                    "instruction (BENCH_INSTRUCTIONS=1): every µs is a thousand guest "
                    "instructions." if "BENCH_INSTRUCTIONS=1" in command else ""),
                "", "## Targets", "",
                "| boot | target | ratio | wanted | met |", "|---|---|---|---|---|"]
        for label, name, ratio, want, met, _ in self.verdicts:
            head.append(f"| {label} | {name} | {ratio:.2f} | {want} | "
                        f"{'yes' if met else '**no**'} |")
        with open(path, "w") as f:
            f.write("\n".join(head + [""] + body) + "\n")


# Current mainline's boots, the first target; the 6.12 bench kernel's without them.
PLOT_LABELS = (("mainline-noiommu", "mainline-strict"), ("bench-noiommu", "bench-strict"))
SIZE_TICS = ", ".join(f'"{t}" {v}' for t, v in (
    ("4K", 4096), ("16K", 16384), ("64K", 65536), ("256K", 262144), ("1M", 1 << 20),
    ("4M", 4 << 20), ("16M", 16 << 20), ("64M", 64 << 20), ("256M", 256 << 20)))


def plot_series(rows):
    """(plot, title) -> [(x, y)]: the lines of the three plots, for PLOT_LABELS."""
    by = {(r.label, r.section, r.exporter, r.size, r.metric): r for r in rows}
    present = {r.label for r in rows}
    labels = next((ls for ls in PLOT_LABELS if present & set(ls)), ())
    series = collections.defaultdict(list)
    for r in rows:
        if r.label not in labels:
            continue
        if r.section == "roundtrip" and r.metric == "roundtrip":
            fl = by.get((r.label, "roundtrip", r.exporter, r.size, "floor"))
            if fl:
                series[("roundtrip", f"{r.label} {r.exporter}")].append(
                    (r.size, r.median_ns / fl.median_ns))
        elif r.section == "oldway":
            series[("oldway", f"{r.label} {r.metric.replace('_', ' ')}")].append(
                (r.size, r.median_ns / 1000))
        elif r.section == "segments":
            series[("segments", r.label)].append((r.segments, r.median_ns / max(r.segments, 1)))
    return series


def plot(outdir, rows):
    if not shutil.which("gnuplot"):
        print("bench-report: no gnuplot, no plots", file=sys.stderr)
        return
    data = os.path.join(outdir, "plot-data")
    shutil.rmtree(data, ignore_errors=True)  # no lines of an earlier run's boots
    os.makedirs(data)
    plots = collections.defaultdict(list)
    for (kind, title), points in sorted(plot_series(rows).items()):
        path = os.path.join(data, f"{kind}-{title.replace(' ', '-')}.dat")
        with open(path, "w") as f:
            f.writelines(f"{x} {y}\n" for x, y in sorted(points))
        plots[kind].append((path, title))
    settings = {
        "roundtrip": ["set title 'IMPORT (with the segments) + RELEASE / the floor (medians)'",
                      "set xlabel 'buffer size'", "set ylabel 'round trip / floor'",
                      f"set xtics ({SIZE_TICS})", "set logscale x", "set yrange [0.9:*]",
                      "set arrow from graph 0, first 1.5 to graph 1, first 1.5 nohead dt 2"],
        "oldway": ["set title 'mmap + pagemap (old way) and allocate + import (new way)'",
                   "set xlabel 'buffer size'", "set ylabel 'microseconds (median)'",
                   f"set xtics ({SIZE_TICS})", "set logscale xy"],
        "segments": ["set title 'Round trip cost per segment (udmabuf of scattered pages)'",
                     "set xlabel 'segments'", "set ylabel 'ns per segment (median)'",
                     "set logscale xy"],
    }
    terminal = "pngcairo" if has_cairo() else "png"
    for kind, files in plots.items():
        cmds = [f"set terminal {terminal} size 1000,600 noenhanced",
                f"set output '{os.path.join(outdir, kind + '.png')}'",
                "set key top left", "set grid"] + settings[kind] + [
                "plot " + ", ".join(f"'{p}' using 1:2 with linespoints title '{t}'"
                                    for p, t in files)]
        subprocess.run(["gnuplot"], input="\n".join(cmds), text=True, check=True)


def has_cairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in out.stdout + out.stderr


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: bench-report.py OUTDIR DATA...")
    outdir = sys.argv[1]
    rows = read_rows(sys.argv[2:])
    if not rows:
        sys.exit("bench-report: no rows in " + " ".join(sys.argv[2:]))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.csv"), "w") as f:
        f.write(",".join(FIELDS) + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    report = Report(rows)
    report.write(os.path.join(outdir, "summary.md"),
                 os.environ.get("BENCH_COMMAND", "make bench"))
    plot(outdir, rows)
    for label, name, ratio, want, met, _ in report.verdicts:
        print(f"{label}: {name}: {ratio:.2f} (wanted {want}): {'met' if met else 'missed'}")


if __name__ == "__main__":
    main()
