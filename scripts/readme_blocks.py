#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The code blocks of README.md, each marked on the line before its fence:

  <!-- run: compile -->   C, compiled against the installed library (check-package),
                          and built for the test guest and run there on its
                          first edu, 0000:01:00.0 (check-guest)
  <!-- run: host -->      shell, run on the host in the work tree (check-package)
  <!-- run: guest -->     shell, run in the test guest as CLI cases (check-guest):
                          "sudo " is dropped and 0000:01:00.0 becomes the
                          second edu's PCI address
  <!-- run: no: WHY -->   not run, and why (output, or what needs a real machine)

  readme_blocks.py check README.md          every block marked; counts per kind
  readme_blocks.py extract README.md KIND DIR   KIND's blocks as DIR/readme-LINE.{c,sh}
  readme_blocks.py c-program README.md OUT  OUT: README's (one) C block
  readme_blocks.py guest README.md OUT [MAN1]  OUT: the guest blocks as case_
                                            lines (and MAN1's EXAMPLES)
  readme_blocks.py man-example PAGE OUT     OUT: the C program of PAGE's EXAMPLES
                                            (from its first #include to .EE)

uio-dmabuf(1)'s blocks (.nf to .fi) are taken by man_blocks(): its JSON
samples are compared key by key with what the CLI prints in the guest, its
EXAMPLES run there (tests/cli/check-cli.py, guest-cli.sh).
"""
import os
import re
import shlex
import sys

MARK = re.compile(r'^<!-- run: (compile|host|guest|no: .+) -->$')
KINDS = ('compile', 'host', 'guest', 'no')


def blocks(path):
    """(line of the fence, kind, text) of each fenced block; kind None if unmarked."""
    lines = open(path).read().split('\n')
    out = []
    i = 0
    while i < len(lines):
        if lines[i].startswith('```'):
            start = i
            j = i + 1
            while j < len(lines) and not lines[j].startswith('```'):
                j += 1
            k = start - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            m = MARK.match(lines[k]) if k >= 0 else None
            kind = m.group(1).split(':')[0] if m else None
            out.append((start + 1, kind, '\n'.join(lines[start + 1:j]) + '\n'))
            i = j + 1
        else:
            i += 1
    return out


def guest_script(path, man1=None):
    text = ['# Generated from README.md by scripts/readme_blocks.py: its guest blocks.']
    if man1:
        # uio-dmabuf(1)'s EXAMPLES, with a command that exists for its --hold.
        for section, _, body in man_blocks(man1):
            if section == 'EXAMPLES':
                body = body.replace('./my-dma-test', 'true')
                text.append('case_ man1-examples sh -ec %s' % shlex.quote(body))
    for line, kind, body in blocks(path):
        if kind != 'guest':
            continue
        body = body.replace('sudo ', '').replace('0000:01:00.0', '$README_BDF')
        text.append('case_ readme-%d sh -ec %s' % (line, shlex.quote(body)))
    return '\n'.join(text) + '\n'


def unroff(text):
    """A man page's text with its escapes for '-', '\\' and quotes undone."""
    return text.replace('\\-', '-').replace('\\e', '\\').replace('\\\\', '\\')


def man_blocks(path):
    """(section, tag, text) of each .nf/.fi block of a man page: the .SH it is
    under and the .B/.BR line (or plain word) of the .TP item it belongs to."""
    out = []
    section = tag = None
    lines = open(path).read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('.SH '):
            section, tag = line[4:].strip('"'), None
        elif line == '.TP' and i + 1 < len(lines):
            tag = re.sub(r'^\.(B|BR|I|IR) ', '', lines[i + 1]).replace('"', '').replace(' , ', ', ')
            tag = tag.split(',')[0].strip()
        elif line == '.nf':
            j = i + 1
            while j < len(lines) and lines[j] != '.fi':
                j += 1
            out.append((section, tag, unroff('\n'.join(lines[i + 1:j])) + '\n'))
            i = j
        i += 1
    return out


def man_example(path):
    """The C program between .EX and .EE of a man page's EXAMPLES, unescaped."""
    text = open(path).read()
    ex = text[text.index('.SH EXAMPLES'):]
    body = ex[ex.index('.EX\n') + 4:ex.index('.EE\n')]
    body = body[body.index('#include'):]
    return unroff(body)


def main():
    cmd, path = sys.argv[1:3]
    if cmd == 'man-example':
        with open(sys.argv[3], 'w') as f:
            f.write(man_example(path))
        return
    found = blocks(path)
    if cmd == 'c-program':
        programs = [body for _, kind, body in found if kind == 'compile']
        if len(programs) != 1:
            sys.exit(f'{path}: {len(programs)} C blocks, the guest runs one')
        with open(sys.argv[3], 'w') as f:
            f.write(programs[0])
        return
    if cmd == 'check':
        bad = [line for line, kind, _ in found if kind is None]
        for line in bad:
            print(f'{path}:{line}: a code block without <!-- run: compile|host|guest|no: WHY -->')
        counts = {k: sum(1 for _, kind, _ in found if kind == k) for k in KINDS}
        print(' '.join(f'{k} {counts[k]}' for k in KINDS))
        sys.exit(1 if bad else 0)
    elif cmd == 'extract':
        kind, outdir = sys.argv[3:5]
        os.makedirs(outdir, exist_ok=True)
        for line, k, body in found:
            if k == kind:
                ext = 'c' if kind == 'compile' else 'sh'
                with open(os.path.join(outdir, f'readme-{line}.{ext}'), 'w') as f:
                    f.write(body)
    elif cmd == 'guest':
        with open(sys.argv[3], 'w') as f:
            f.write(guest_script(path, sys.argv[4] if len(sys.argv) > 4 else None))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
