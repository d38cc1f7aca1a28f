#!/usr/bin/env python3
"""Judge the end-to-end DMA records of one or more guest runs and print the
summary table: kernel x IOMMU x exporter x size -> segments, bytes verified by
device DMA, result. Closes with "e2e: N passed, N failed".

usage: e2e-report.py RUN...   where RUN is NAME:KERNEL:IOMMU:MASKBITS:MODE:DATAFILE
  IOMMU is "viommu" (x86), "smmuv3" (arm64) or "none"; MASKBITS the
  device's DMA mask width (0: any);
  MODE "full", or "narrow" when the guest has more RAM than the mask covers:
  without an IOMMU an import may then be refused (never wrong), bounced
  addresses are not physical ones, and at least one row must still verify.

UIO_DMABUF_MAP_NEEDS_SYNC says the mapping was bounced through swiotlb or the
device is not cache-coherent. Every device here is coherent, and only the
narrow runs without an IOMMU bounce, so any other run must never report it
(behind an IOMMU too, where the DMA API's dma_need_sync() says yes to every
mapping), and a narrow run must show a bounced import that verifies with SYNC
and not without it, and a range of it synced alone must bring exactly those
bytes from the bounce buffer (range_sync, tests/edu/edu-dma-test.c
--sync-range). Rows labelled *-skip-sync ran without
UIO_DMABUF_IOC_SYNC: they fail where the mapping is bounced and verify
elsewhere. Rows labelled *-coherent imported with UIO_DMABUF_IMPORT_COHERENT:
refused with EIO where the mapping is bounced, verified everywhere else.
Behind the x86 virtual IOMMU (strict, interrupt remapping, edu alone behind
its root port) every row's device must report itself isolated.
"""
import json
import sys


def records(path):
    rows, errs, began, ended = [], {}, False, False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("@@E2E-BEGIN"):
                began = True
            elif line == "@@E2E-END":
                ended = True
            elif line.startswith("@@E2E-ERR "):
                _, label, msg = line.split(" ", 2)
                errs.setdefault(label, []).append(msg)
            elif line.startswith("@@E2E "):
                _, label, rc, rest = (line.split(" ", 3) + [""])[:4]
                try:
                    doc = json.loads(rest)
                except ValueError:
                    doc = None
                rows.append((label, int(rc[3:]), doc))
    return rows, errs, began and ended


def exporter(label, source):
    """The table's exporter column: the source, and how the row differs."""
    name = source.replace("heap:", "")
    for suffix in ("-skip-sync", "-coherent"):
        if label.endswith(suffix):
            return name + "/" + suffix[1:]
    return name


def main():
    passed = failed = 0
    table = []

    def verdict(ok, what, why=""):
        nonlocal passed, failed
        n = passed + failed + 1
        print(("ok" if ok else "not ok") + f" {n} - {what}")
        if not ok and why:
            print(f"#   {why}")
        if ok:
            passed += 1
        else:
            failed += 1
        return ok

    for spec in sys.argv[1:]:
        name, kernel, iommu, maskbits, mode, path = spec.split(":", 5)
        narrow = mode == "narrow"
        maskbits = int(maskbits)
        try:
            rows, errs, complete = records(path)
        except OSError as e:
            verdict(False, f"{name}: records", str(e))
            continue
        verdict(complete and rows, f"{name}: the guest ran the suite to its end")
        differs = phys_seen = False
        verified = 0
        bounced_synced = bounced_unsynced = range_synced = False
        bounce_run = narrow and iommu == "none"
        for label, rc, d in rows:
            what = f"{name}: {label}"
            err = "; ".join(errs.get(label, []))
            if d is None:
                verdict(False, f"{what}: ran", f"rc {rc}: {err}")
                table.append((kernel, iommu, label, "-", "-", "-", "-", "ERROR"))
                continue
            if d.get("result") == "refused":
                allowed = narrow and iommu == "none"
                if label.endswith("-coherent"):
                    allowed = bounce_run and d["errno"] == 5
                verdict(allowed and rc == 3,
                        f"{what}: the import was refused ({d['errno']}), as a device that "
                        f"cannot reach the buffer must be" if allowed else f"{what}: imported",
                        f"rc {rc}: {err}")
                table.append((kernel + ("/narrow" if narrow else ""), iommu,
                              exporter(label, d["source"]), d["size"], "-",
                              0, "-", f"refused ({d['errno']})" if allowed else "REFUSED"))
                continue
            # Only the row so named is a negative control: any other row that
            # used a wrong address (UIO_DMABUF_E2E_BREAK) must fail.
            control = label == "negative-control"
            unsynced = label.endswith("-skip-sync") and d["needs_sync"] and bounce_run
            if unsynced:
                ok = verdict(rc == 1 and d["result"] == "fail" and d["mismatched_chunks"] > 0,
                             f"{what}: a mapping that needs SYNC, not synced, does not verify",
                             f"rc {rc}: {err}")
                bounced_unsynced |= ok
            elif control:
                ok = verdict(rc == 1 and d["result"] == "fail" and d["mismatched_chunks"] > 0,
                             f"{what}: the deliberately wrong address is caught", err)
            else:
                ok = verdict(rc == 0 and d["result"] == "pass" and not d["corrupt"] and
                             d["bytes_verified"] == d["chunks"] * 4096 > 0,
                             f"{what}: {d['bytes_verified']} bytes verified by device DMA",
                             f"rc {rc}, {d['mismatched_chunks']} chunks wrong, "
                             f"{d['stray_writes']} stray writes: {err}")
            ok &= verdict(d["iommu"] == (iommu != "none"),
                          f"{what}: IOMMU state as expected ({iommu})")
            if maskbits:
                ok &= verdict(d["max_dma_end"] <= 1 << maskbits and d["dma_mask_bits"] == maskbits,
                              f"{what}: every address fits the {maskbits}-bit mask",
                              f"highest end {d['max_dma_end']:#x}")
            if iommu == "viommu":
                ok &= verdict(d["isolated"], f"{what}: the device reports itself isolated")
            if not bounce_run:
                ok &= verdict(not d["needs_sync"],
                              f"{what}: needs no SYNC (a coherent device, nothing bounced)")
            if d.get("range_sync", "none") != "none":
                ok &= verdict(d["range_sync"] == "pass",
                              f"{what}: a SYNC of bytes [{d['range_from']:#x}, "
                              f"{d['range_to']:#x}) alone brought exactly those bytes "
                              f"from the bounce buffer", err)
                range_synced |= ok
            if label.endswith("-coherent"):
                ok &= verdict(not d["needs_sync"],
                              f"{what}: IMPORT_COHERENT gave a mapping that needs no SYNC")
            bounced_synced |= ok and d["needs_sync"] and d["synced"] and not unsynced
            verified += (not control) and (not unsynced) and ok
            if d["first_phys"] and not (narrow and iommu == "none"):
                if iommu != "none":
                    differs |= d["first_dma"] != d["first_phys"]
                    phys_seen = True
                else:
                    ok &= verdict(d["first_dma"] == d["first_phys"],
                                  f"{what}: without an IOMMU the address is the physical one",
                                  f"dma {d['first_dma']:#x} phys {d['first_phys']:#x}")
            table.append((kernel + ("/narrow" if narrow else ""), iommu,
                          label if control else exporter(label, d["source"]), d["size"],
                          f"{d['segments']}/{d['dst_segments']}",
                          d["bytes_verified"], d["seed"],
                          ("caught" if ok else "MISSED") if control else
                          ("wrong unsynced" if ok else "FAILED") if unsynced else
                          ("verified" if ok else "FAILED")))
        if narrow:
            verdict(verified > 0, f"{name}: rows verified with the narrow mask: {verified}")
        if bounce_run:
            verdict(bounced_synced and bounced_unsynced,
                    f"{name}: a bounced import verifies with SYNC and not without it")
            verdict(range_synced,
                    f"{name}: a range of a bounced import synced alone arrived byte-exact")
        if iommu != "none":
            # Only udmabuf rows know their physical pages (pagemap does not
            # show a dma-buf's own VM_PFNMAP mapping): a run without them
            # cannot tell.
            if phys_seen:
                verdict(differs,
                        f"{name}: a reported IOVA differs from the page's physical address")

    print()
    print(f"{'kernel':<23} {'iommu':<7} {'exporter':<17} {'size':>9} {'segments':>9} "
          f"{'bytes verified':>14} {'seed':>11}  result")
    for k, i, e, size, segs, b, seed, res in table:
        if isinstance(size, int):
            size = (f"{size >> 20}M" if size >= 1 << 20 and not size % (1 << 20)
                    else f"{size >> 10}K")
        print(f"{k:<23} {i:<7} {e:<17} {size:>9} {segs:>9} {b:>14} {seed:>11}  {res}")
    print("(segments: source/destination buffer; /narrow: a 32-bit device in a 5 GiB guest)")
    print(f"e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
