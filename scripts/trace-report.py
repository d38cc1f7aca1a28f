#!/usr/bin/env python3
"""A trace of scripts/trace-ioctl.py as a call tree with instruction counts.

Usage: trace-report.py SYSTEM_MAP MODULE_KO TRACE [MIN [ENTRY]]

TRACE has one guest instruction per line, "PC SP" in hex. Kernel addresses
are named from SYSTEM_MAP; the module's from MODULE_KO's symbols, placed by
the first instruction in module space, which is ENTRY's first (the ioctl's
entry into the module: uio_dmabuf_fop_ioctl() unless given). A function is entered where the
stack pointer drops by a return address and the function changes, and left
where the stack pointer rises above its entry's; a jump to another function
at the same depth (a tail call) takes its frame over. Prints the total,
the functions by their own instructions, and the tree by instructions
spent inside each call (MIN: leave out what costs fewer).
"""
import bisect
import collections
import os
import subprocess
import sys

MODULE_SPACE = (0xFFFFFFFFA0000000, 0xFFFFFFFFFF000000)


def kernel_symbols(path):
    syms = []
    with open(path) as f:
        for line in f:
            addr, kind, name = line.split()[:3]
            if kind in "tTwW":
                syms.append((int(addr, 16), name.removeprefix("__pfx_")))
    return sorted(syms)


def module_symbols(path):
    out = subprocess.run(["nm", "-n", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        part = line.split()
        if len(part) == 3 and part[1] in "tT" and not part[2].startswith("__pfx_"):
            syms.append((int(part[0], 16), part[2]))
    return sorted(syms)


def main():
    smap, ko, trace = sys.argv[1:4]
    least = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    entry_name = sys.argv[5] if len(sys.argv) > 5 else "uio_dmabuf_fop_ioctl"
    module = "[%s] " % os.path.basename(ko).removesuffix(".ko")
    ksyms, msyms = kernel_symbols(smap), module_symbols(ko)
    kaddr, maddr = [a for a, _ in ksyms], [a for a, _ in msyms]
    with open(trace) as f:
        recs = [tuple(int(x, 16) for x in line.split()) for line in f]
    entry = dict((n, a) for a, n in msyms)[entry_name]
    base = next((pc - entry for pc, _ in recs if MODULE_SPACE[0] <= pc < MODULE_SPACE[1]), None)

    def name(pc):
        if base is not None and MODULE_SPACE[0] <= pc < MODULE_SPACE[1]:
            i = bisect.bisect_right(maddr, pc - base) - 1
            return module + msyms[i][1] if i >= 0 else "module+%x" % pc
        return ksyms[bisect.bisect_right(kaddr, pc) - 1][1]

    own = collections.Counter()
    tree = collections.Counter()
    stack = []      # (function, stack pointer at its entry)
    prev = None     # (stack pointer, function) of the instruction before
    for pc, sp in recs:
        fn = name(pc)
        while stack and sp > stack[-1][1]:
            stack.pop()
        if not stack:
            stack.append((fn, sp))
        elif fn != stack[-1][0]:
            if prev and sp == prev[0] - 8 and fn != prev[1]:
                stack.append((fn, sp))
            else:
                stack[-1] = (fn, stack[-1][1])
        prev = (sp, fn)
        own[fn] += 1
        path = tuple(f for f, _ in stack)
        for depth in range(1, len(path) + 1):
            tree[path[:depth]] += 1

    print("%d instructions" % len(recs))
    print("--- by their own instructions")
    for fn, n in own.most_common(30):
        print("%7d  %s" % (n, fn))
    print("--- calls, instructions inside each (at least %d)" % least)
    children = collections.defaultdict(list)
    for path in tree:
        children[path[:-1]].append(path)

    def show(path, depth):
        for kid in sorted(children[path], key=lambda p: -tree[p]):
            if tree[kid] >= least:
                print("%s%7d  %s" % ("  " * depth, tree[kid], kid[-1]))
                show(kid, depth + 1)
    show((), 0)


if __name__ == "__main__":
    main()
