#!/usr/bin/env python3
"""Host half of the CLI tests: judge the records tests/cli/guest-cli.sh wrote to
the guest's data channel. Prints TAP and "cli: N passed, N failed"."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import readme_blocks  # noqa: E402

KiB, MiB = 1024, 1024 * 1024


def parse(path):
    cases, cur, part = {}, None, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("@@CASE "):
                cur = {"rc": None, "out": [], "err": []}
                cases[line[7:]] = cur
            elif cur is None:
                continue
            elif line.startswith("@@RC "):
                cur["rc"] = int(line[5:])
            elif line == "@@STDOUT":
                part = "out"
            elif line == "@@STDERR":
                part = "err"
            elif line == "@@END":
                cur = None
            else:
                cur[part].append(line)
    return cases


class Checker:
    def __init__(self, cases):
        self.cases, self.passed, self.failed = cases, 0, 0

    def ok(self, cond, what, why=""):
        n = self.passed + self.failed + 1
        print(("ok" if cond else "not ok") + f" {n} - {what}")
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            if why:
                print(f"#   {why}")
        return cond

    def case(self, name):
        c = self.cases.get(name)
        if c is None:
            self.ok(False, f"{name}: ran", "no record from the guest")
        return c

    def doc(self, name):
        """The case's first stdout line as JSON, or None."""
        c = self.case(name)
        if c is None:
            return None, None
        try:
            return c, json.loads(c["out"][0])
        except (IndexError, ValueError) as e:
            self.ok(False, f"{name}: stdout is one JSON document", f"{e}: {c['out'][:3]}")
            return c, None

    def buffer(self, name, size, source, one_segment=False):
        c, d = self.doc(name)
        if d is None:
            return
        segs = d["segments"]
        total = sum(s["length"] for s in segs)
        offsets = [s["offset"] for s in segs]
        expect_offsets = [sum(s["length"] for s in segs[:i]) for i in range(len(segs))]
        self.ok(c["rc"] == 0, f"{name}: exit 0", f"rc {c['rc']}, stderr {c['err']}")
        self.ok(d["size"] == size and total == size,
                f"{name}: segment lengths add up to the size ({size})",
                f"size {d['size']}, sum {total}")
        self.ok(d["nr_segments"] == len(segs) and offsets == expect_offsets,
                f"{name}: one object per segment ({len(segs)}), offsets in buffer order")
        self.ok(d["source"] == source, f"{name}: source {source}", f"source {d['source']}")
        # The kernel's own count, from the debugfs listing printed by --hold.
        rows = [l.split("\t") for l in c["out"][1:] if re.match(r"^\d+\t", l)]
        self.ok(len(rows) == 1 and int(rows[0][4]) == d["nr_segments"] and
                int(rows[0][2]) == size,
                f"{name}: segment count matches the kernel's (debugfs)", f"rows {rows}")
        if one_segment:
            self.ok(d["nr_segments"] == 1 and d["contiguous"] is True,
                    f"{name}: one segment", f"{d['nr_segments']} segments")

    def usage_error(self, name, words):
        """A usage error: exit 2, one stderr line with @words, JSON errno 0."""
        c = self.case(name)
        if c is None:
            return
        err = " ".join(c["err"])
        self.ok(c["rc"] == 2 and len(c["err"]) == 1 and all(w in err for w in words),
                f"{name}: exit 2, one line naming {', '.join(words)}", f"rc {c['rc']}, stderr {c['err']}")
        c, d = self.doc(name + "-json")
        if d is None:
            return
        e = d.get("error", {})
        self.ok(c["rc"] == 2 and e.get("errno") == 0 and e.get("errno_name") is None,
                f"{name}-json: usage error object with errno 0, exit 2", f"rc {c['rc']}, out {c['out']}")

    def error(self, name, errno_name, words):
        c = self.case(name)
        if c is None:
            return
        err = " ".join(c["err"])
        self.ok(c["rc"] not in (0, 70), f"{name}: non-zero exit, no leaked fd",
                f"rc {c['rc']}")
        self.ok(len(c["err"]) == 1 and errno_name in err and all(w in err for w in words),
                f"{name}: one line naming {errno_name} and {', '.join(words)}", f"stderr {c['err']}")
        c, d = self.doc(name + "-json")
        if d is None:
            return
        e = d.get("error", {})
        self.ok(c["rc"] not in (0, 70) and e.get("errno_name") == errno_name and
                len(c["out"]) == 1,
                f"{name}-json: error object with {errno_name}, non-zero exit",
                f"rc {c['rc']}, out {c['out']}")


def keys(obj, prefix=""):
    """Every key path of a JSON document (a list by its first element)."""
    out = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.add(prefix + key)
            out |= keys(value, prefix + key + ".")
    elif isinstance(obj, list) and obj:
        out |= keys(obj[0], prefix + "[].")
    return out


def main():
    cases = parse(sys.argv[1])
    k = Checker(cases)
    if not k.ok(bool(cases), "the guest wrote CLI records"):
        print(f"cli: {k.passed} passed, {k.failed} failed")
        return 1

    c = k.case("help")
    k.ok(c and c["rc"] == 0 and any("alloc" in l for l in c["out"]), "--help lists the commands")
    c = k.case("alloc-help")
    k.ok(c and c["rc"] == 0 and any("--hold" in l for l in c["out"]), "alloc --help")

    c, d = k.doc("list")
    if d is not None:
        devs = d["devices"]
        k.ok(len(devs) == 2 and all(x["bus"] == "pci" and x["vendor"] == "0x1234" and
                                    x["device_id"] == "0x11e8" and x["dma_mask_bits"] == 32
                                    for x in devs),
             "list: both edu devices, PCI identity and DMA mask", f"{devs}")
        k.ok([x["node"] for x in devs] == ["/dev/uio-dmabuf0", "/dev/uio-dmabuf1"],
             "list: import nodes")
        k.ok(all(x["irq_mode"] in ("intx", "msi") and x["irq_vectors"] == 0 and
                 x["revoked"] == 0 for x in devs),
             "list: each edu's interrupt (INTx or MSI, no MSI-X vectors), no revoked import",
             f"{[(x.get('irq_mode'), x.get('irq_vectors'), x.get('revoked')) for x in devs]}")
    c = k.case("list-table")
    k.ok(c and c["rc"] == 0 and len(c["out"]) == 3 and "0x1234:0x11e8" in c["out"][1],
         "list: table")
    c, d = k.doc("heaps")
    if d is not None:
        names = {h["name"]: h for h in d["heaps"]}
        k.ok("system" in names and any(h["cma"] for h in d["heaps"]),
             "heaps: system and the CMA heap", f"{d}")

    k.buffer("system-16M", 16 * MiB, "heap")
    c, d = k.doc("system-16M-json")
    if d is not None:
        k.ok(c["rc"] == 0 and len(c["out"]) == 1 and len(d["segments"]) == d["nr_segments"] and
             sum(s["length"] for s in d["segments"]) == 16 * MiB,
             "alloc --heap system --size 16M --json: one JSON document, one object per segment",
             f"{len(c['out'])} lines")
    c = k.case("system-16M-table")
    k.ok(c and c["rc"] == 0 and c["out"][-1].startswith("size 16777216 (16 MiB)"),
         "system-16M: table with summary", f"{c and c['out'][-1:]}")
    k.buffer("cma-16M", 16 * MiB, "heap", one_segment=True)
    c, d = k.doc("cma-contiguous")
    k.ok(d is not None and c["rc"] == 0 and d["nr_segments"] == 1, "cma --contiguous succeeds")
    k.buffer("udmabuf-1M", 1 * MiB, "udmabuf")
    # This guest's edu is coherent and reaches all of RAM: nothing needs SYNC.
    c, d = k.doc("udmabuf-1M")
    k.ok(d is not None and d["needs_sync"] is False, "udmabuf-1M: needs_sync false in JSON")
    k.ok(d is not None and d.get("peer") is False, "udmabuf-1M: peer false in JSON (system RAM)")
    c, d = k.doc("udmabuf-coherent")
    k.ok(d is not None and c["rc"] == 0 and d["needs_sync"] is False,
         "--coherent succeeds where nothing is bounced", f"{c}")
    c = k.case("udmabuf-no-bounce")
    k.ok(c is not None and c["rc"] == 0 and "needs SYNC" not in c["out"][-1],
         "--no-bounce is --coherent; the table says nothing about SYNC", f"{c}")
    k.buffer("drm-1M", 1 * MiB, "drm")

    c = k.case("hold-env")
    if c:
        hold = [l for l in c["out"] if l.startswith("HOLD ")]
        k.ok(c["rc"] == 3, "--hold exits with the command's status", f"rc {c['rc']}")
        k.ok(len(hold) == 1 and re.search(r"fd=\d+ buf=\d+ handle=\d+ size=65536 "
                                          r"dev=/dev/uio-dmabuf0", hold[0]) is not None and
             any("dmabuf" in l for l in c["out"]),
             "--hold passes the fds and the environment", f"{hold}")
    c, d = k.doc("import-fd")
    if d is not None:
        k.ok(c["rc"] == 0 and d["source"] == "fd" and d["size"] == MiB and
             d["device"] == "/dev/uio-dmabuf1" and
             sum(s["length"] for s in d["segments"]) == MiB,
             "import: a dma-buf the caller has open (fd 3)", f"{c}")
    c = k.case("import-busy")
    k.ok(c and c["rc"] == 1 and len(c["err"]) == 1 and "EBUSY" in c["err"][0],
         "import: the buffer already imported on the device is EBUSY", f"{c}")

    c, d = k.doc("fragmented-64M")
    k.ok(d is not None and c["rc"] == 0 and d["nr_segments"] > 1 and
         sum(s["length"] for s in d["segments"]) == 64 * MiB,
         "64 MiB of fragmented system heap: several segments adding up to 64 MiB",
         f"{d and d['nr_segments']} segments")
    c = k.case("contiguous-64M")
    if c:
        k.ok(c["rc"] == 1 and len(c["err"]) == 1 and "E2BIG" in c["err"][0] and
             "system heap 64 MiB" in c["err"][0],
             "--contiguous on 64 MiB of system heap fails naming E2BIG", f"{c}")
    c, d = k.doc("contiguous-64M-json")
    k.ok(d is not None and d.get("error", {}).get("errno_name") == "E2BIG",
         "--contiguous --json: error object with E2BIG")
    c = k.case("contiguous-udmabuf")
    k.ok(c and c["rc"] == 1 and len(c["err"]) == 1 and "E2BIG" in c["err"][0] and
         "udmabuf 16 MiB" in c["err"][0], "--contiguous on 16 MiB of udmabuf fails naming E2BIG",
         f"{c}")

    k.error("bad-heap", "ENOENT", ["nosuch"])
    k.usage_error("size-0", ["--size", "'0'"])
    k.error("size-huge", "ENOMEM", ["64 GiB", "allocate"])
    k.error("no-device", "ENOENT", ["/dev/uio-dmabuf7"])
    k.error("not-dmabuf", "EINVAL", ["fd 3", "import"])
    k.error("closed-fd", "EBADF", ["fd 9"])
    k.error("closed-fd3", "EBADF", ["fd 3"])

    c = k.case("hold-noent")
    k.ok(c and c["rc"] == 127, "--hold of a command that does not exist exits 127", f"{c}")
    c = k.case("hold-noexec")
    k.ok(c and c["rc"] == 126, "--hold of a file that cannot run exits 126", f"{c}")
    c = k.case("list-while-held")
    if c:
        docs = [json.loads(l) for l in c["out"] if l.startswith("{")]
        devs = docs[1]["devices"] if len(docs) == 2 else []
        k.ok(c["rc"] == 0 and [d["imports"] for d in devs] == [1, 0],
             "list counts the imports of each device (1 on uio0 while held, 0 on uio1)",
             f"{c}")
    c = k.case("list-version")
    k.ok(c and c["rc"] == 0 and re.match(r"^uio-dmabuf \d+\.\d+\.\d+$", c["out"][0]),
         "--version", f"{c}")
    c, d = k.doc("unbind")
    k.ok(d is not None and c["rc"] == 0 and d["command"] == "unbind" and
         d["previous_driver"] == "uio_dmabuf" and d["driver"] is None,
         "unbind: uio1's edu leaves uio_dmabuf (edu has no driver of its own)", f"{c}")
    c, d = k.doc("unbind-gone")
    k.ok(d is not None and c["rc"] == 0 and [x["uio"] for x in d["devices"]] == ["uio0"],
         "after unbind, its import node is gone and list shows one device", f"{c}")
    k.error("unbind-again", "EINVAL", ["bound to no driver"])
    c, d = k.doc("bind")
    k.ok(d is not None and c["rc"] == 0 and d["driver"] == "uio_dmabuf" and
         d["node"] == "/dev/uio-dmabuf1" and d["previous_driver"] is None,
         "bind by the PCI address without its domain: uio_dmabuf takes it, node back",
         f"{c}")
    c = k.case("bind-again")
    k.ok(c and c["rc"] == 0 and "bound to uio_dmabuf as uio1" in " ".join(c["out"]),
         "bind of a device bound already succeeds and says so", f"{c}")
    c, d = k.doc("bind-list")
    k.ok(d is not None and len(d["devices"]) == 2, "after bind, list shows both devices")

    c = k.case("imports-after")
    k.ok(c and [l for l in c["out"] if re.match(r"^\d+\t", l)] == [],
         "no import left after the cases (debugfs)", f"{c}")

    c = k.case("man-example")
    k.ok(c and c["rc"] == 0 and len(c["out"]) == 1 and c["out"][0].startswith("first byte 0x"),
         "libuiodmabuf(3)'s example drives edu: registers mapped, DMA, interrupt, sync",
         f"{c}")

    c = k.case("readme-program")
    k.ok(c and c["rc"] == 0 and c["out"] and
         all(re.match(r"^0x[0-9a-f]+ \+0x[0-9a-f]+$", l) for l in c["out"]) and
         sum(int(l.split("+")[1], 16) for l in c["out"]) == 16 << 20,
         "README.md's C program imports 16 MiB on the first edu and prints its segments",
         f"{c}")

    # uio-dmabuf(1)'s blocks: its JSON samples have exactly the keys the CLI
    # prints, its error line is what the CLI prints, its EXAMPLES run.
    man1 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "userspace",
                        "uio-dmabuf.1")
    samples = {"list": "list", "bind": "bind", "heaps": "heaps", "alloc": "system-16M-json",
               "errors": "closed-fd3-json"}
    for section, tag, body in readme_blocks.man_blocks(man1):
        if section == "JSON OUTPUT" and tag in samples:
            c, d = k.doc(samples[tag])
            want = keys(json.loads(body)) if body.strip() else set()
            got = keys(d) if d is not None else set()
            k.ok(d is not None and want == got,
                 f"uio-dmabuf(1)'s JSON sample of {tag} has the keys {samples[tag]} printed",
                 f"only in the page: {sorted(want - got)}, only printed: {sorted(got - want)}")
        elif section == "EXIT STATUS":
            c = k.case("contiguous-64M")
            k.ok(c and " ".join(c["err"]).split() == body.split(),
                 "uio-dmabuf(1)'s error line is the one the CLI prints (contiguous-64M)",
                 f"{c and c['err']}")
        elif section == "EXAMPLES":
            c = k.case("man1-examples")
            k.ok(c and c["rc"] == 0, "uio-dmabuf(1)'s EXAMPLES run in the guest", f"{c}")
        elif section == "PERSISTENT BINDING":
            k.ok(body.startswith("ACTION==") and "driver_override" in body,
                 "uio-dmabuf(1)'s udev rule: not run (the guest has no udev), only its shape")
        else:
            k.ok(False, f"uio-dmabuf(1)'s block under {section} ({tag}) is checked", body[:80])

    # Each of README's guest blocks ran, as README shows it, and succeeded.
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
    for line, kind, _ in readme_blocks.blocks(readme):
        if kind == "guest":
            c = k.case(f"readme-{line}")
            k.ok(c and c["rc"] == 0, f"README.md's block at line {line} runs in the guest",
                 f"{c}")
    print(f"cli: {k.passed} passed, {k.failed} failed")
    return 0 if k.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
