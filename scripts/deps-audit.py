#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every Debian package the suite relies on is installed by
scripts/deps.sh itself, not by a recommendation or by hand.

A package counts as named when deps.sh lists it, when a listed package
reaches it through Depends or Pre-Depends (alternatives and virtual packages
resolved to what is installed here; Recommends never count), or when it is
Essential or of priority "required" (on every Debian system).

Two sources of packages are checked against that set:
  - every word of the host's scripts (comments left out) that names a program
    in /usr/bin, /usr/sbin, /bin or /sbin: the package that owns it;
  - the packages the probes of check-deps.sh exercise (--need PKG...).

Usage: deps-audit.py --pkgs "PKG..." [--need "PKG..."] FILE...
Prints one line per finding and "deps-audit: N findings"; exits 1 on any.
"""

import argparse
import os
import re
import subprocess
import sys

SYSTEM_PATH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]


def installed_db():
    """Package -> (depends, provides, essential, priority) for installed ones."""
    fmt = ("${binary:Package}\t${Status}\t${Essential}\t${Priority}\t${Pre-Depends}, ${Depends}"
           "\t${Provides}\n")
    out = subprocess.run(["dpkg-query", "-W", "-f", fmt], check=True,
                         capture_output=True, text=True).stdout
    native = subprocess.run(["dpkg", "--print-architecture"], check=True,
                            capture_output=True, text=True).stdout.strip()
    db, providers = {}, {}
    for line in out.splitlines():
        name, status, essential, priority, deps, provides = line.split("\t")
        if not status.endswith(" installed"):
            continue
        # Multi-Arch: same packages are "name:amd64" even when native.
        if name.endswith(":" + native):
            name = name[:-len(native) - 1]
        db[name] = (deps, essential == "yes", priority)
        for p in provides.split(","):
            p = p.strip().split(" ")[0]
            if p:
                providers.setdefault(p, set()).add(name)
    return db, providers


def bare(name):
    """A dependency atom without version qualifiers (name, or name:arch)."""
    name = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", name).strip()
    return name[:-4] if name.endswith(":any") else name


def closure(roots, db, providers):
    """Everything installed that the roots reach through (Pre-)Depends. Names
    are dpkg's binary:Package: foreign-architecture packages keep ":arch", and
    so do the dependencies they reach when such a package is installed."""
    seen, todo = set(), [(bare(r), None) for r in roots]
    while todo:
        pkg, arch = todo.pop()
        names = [f"{pkg}:{arch}", pkg] if arch and ":" not in pkg else [pkg]
        for name in names:
            for cand in [name] + sorted(providers.get(name, ())):
                if cand in db and cand not in seen:
                    seen.add(cand)
                    carch = cand.split(":")[1] if ":" in cand else None
                    for group in db[cand][0].split(","):
                        for alt in group.split("|"):
                            alt = bare(alt)
                            if alt:
                                todo.append((alt, carch))
    return seen


def owner(path):
    """The installed package that owns PATH (merged /usr and alternatives)."""
    cands = [path, os.path.realpath(path)]
    for c in list(cands):
        if c.startswith("/usr/"):
            cands.append(c[4:])
        else:
            cands.append("/usr" + c)
    for c in cands:
        r = subprocess.run(["dpkg-query", "-S", c], capture_output=True, text=True)
        if r.returncode == 0:
            # "pkg1, pkg2: /path" (diversions aside)
            line = [l for l in r.stdout.splitlines() if not l.startswith("diversion")][0]
            return line.rsplit(": ", 1)[0].split(",")[0].strip().split(":")[0]
    return None


# Shell words that are not programs even where a program could stand.
SHELL_WORDS = set("""if then else elif fi case esac for while until do done in function time
select coproc local declare export readonly typeset unset alias echo printf read test cd pwd
exit return set shift trap wait kill true false type command eval exec source getopts ulimit
umask mapfile readarray let break continue builtin hash jobs fg bg disown enable help history
pushd popd dirs shopt caller compgen complete compopt suspend logout times""".split())
# Programs whose arguments hold another program to run.
WRAPPERS = {"exec", "command", "timeout", "xargs", "env", "nice", "ionice", "sudo", "valgrind",
            "setsid", "stdbuf", "nohup", "time"}
SEPARATORS = re.compile(r"\|\||&&|;|\$\(|`|\(|\{|\||!|\bthen\b|\bdo\b|\belse\b")


def commands(segment):
    """The programs a shell command segment runs (its first word, and the
    program a wrapper such as timeout or xargs runs)."""
    found = []
    toks = segment.split()
    i = 0
    while i < len(toks) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", toks[i]):
        i += 1			# VAR=value prefixes
    while i < len(toks):
        w = toks[i].strip("\"'")
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_.+-]*$", w) or toks[i].endswith("()"):
            break
        if w in SHELL_WORDS and w not in WRAPPERS:
            break
        found.append(w)
        if w not in WRAPPERS:
            break
        i += 1			# the wrapper's options and numbers, then its program
        while i < len(toks) and (toks[i].startswith("-") or re.match(r"^[0-9.]+[smhd]?$", toks[i])
                                 or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", toks[i])):
            i += 1
    return found


def logical_lines(path):
    """PATH's lines with continuations joined."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return text.replace("\\\n", " ").splitlines()


def words(path):
    """The programs a script (shell, a Makefile's recipes, or Python's
    subprocess calls) runs, as far as its text tells."""
    found = set()
    make = os.path.basename(path) in ("Makefile", "rules")
    lines = logical_lines(path)
    python = path.endswith(".py") or (lines and "python" in lines[0] and lines[0].startswith("#!"))
    for line in lines:
        if python:
            found.update(re.findall(r"(?:subprocess\.\w+\(\s*\[|\brun\()\s*[\"']([\w.+-]+)[\"']", line))
            continue
        if make:
            if not line.startswith("\t"):
                continue
            line = line.lstrip("\t@-")
        s = line.strip()
        if s.startswith("#"):
            continue
        s = re.sub(r"(^|\s)#(\s.*)?$", "", s)
        # name=(program args...): an array holding a command line
        found.update(re.findall(r"\b[A-Za-z_]\w*=\(\s*([A-Za-z_][\w.+-]*)", s))
        # make's and kbuild's program variables (CC=musl-gcc), and cross
        # prefixes (aarch64-linux-gnu-), which name a gcc
        found.update(re.findall(r"\b(?:CC|HOSTCC|AR|LD|PKG_CONFIG)=[\"']?([A-Za-z_][\w.+-]*)", s))
        found.update(p + "gcc" for p in re.findall(r"\b([a-z0-9_]+-linux-gnu[a-z]*-)(?![\w.+-])", s))
        if re.search(r"\bC=[12]\b", s):
            found.add("sparse")
        # /usr/bin/prog, /bin/prog ... where a program stands
        found.update(re.findall(r"(?:^|[\s;|&(`])/(?:usr/)?s?bin/([A-Za-z_][\w.+-]*)", s))
        for seg in SEPARATORS.split(s):
            found.update(commands(seg))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pkgs", required=True)
    ap.add_argument("--need", default="")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    db, providers = installed_db()
    named = closure(args.pkgs.split(), db, providers)
    base = {p for p, (_, ess, prio) in db.items() if ess or prio == "required"}
    base = closure(base, db, providers)
    ok = named | base
    findings = 0

    for pkg in args.need.split():
        if bare(pkg) not in ok:
            print(f"deps-audit: check-deps relies on {pkg}, which deps.sh does not name: add {pkg}")
            findings += 1

    users = {}
    for f in args.files:
        for w in words(f):
            users.setdefault(w, []).append(os.path.relpath(f))
    for w in sorted(users):
        for d in SYSTEM_PATH:
            p = os.path.join(d, w)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                break
        else:
            continue
        pkg = owner(p)
        if pkg is None:
            print(f"deps-audit: {users[w][0]} calls '{w}' ({p}), which no package owns")
            findings += 1
        elif pkg not in ok:
            print(f"deps-audit: {', '.join(sorted(set(users[w])))} call '{w}' ({p}), "
                  f"from {pkg}, which deps.sh does not name (only a recommendation or a "
                  f"hand brought it): add {pkg}")
            findings += 1

    print(f"deps-audit: {findings} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
