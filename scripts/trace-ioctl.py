# The gdb side of scripts/trace-ioctl.sh (gdb -batch -x this file), not run
# directly. Connects to QEMU's gdbstub, stops at __x64_sys_ioctl (address
# TRACE_SYSCALL) until the TRACE_SKIP-th call with each command of
# TRACE_CMDS ("name=0xNUMBER,..."), then single-steps that call back to user
# space and writes one line per guest instruction, "PC SP" in hex, to
# TRACE_OUT-NAME.txt. Stepping runs without interrupts or timers (QEMU's
# default for gdb's single step).
import os

import gdb

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :%s" % os.environ.get("TRACE_PORT", "1234"))
gdb.execute("break *%s" % os.environ["TRACE_SYSCALL"])
want = {}
for item in os.environ["TRACE_CMDS"].split(","):
    name, number = item.split("=")
    want[int(number, 0)] = name
skip = int(os.environ.get("TRACE_SKIP", "30"))
seen = {}
done = set()
while len(done) < len(want):
    gdb.execute("continue", to_string=True)
    regs = int(gdb.parse_and_eval("$rdi")) & 0xFFFFFFFFFFFFFFFF
    # struct pt_regs: si, the ioctl's command, at offset 104.
    cmd = int(gdb.parse_and_eval("*(unsigned int *)%d" % (regs + 104))) & 0xFFFFFFFF
    name = want.get(cmd)
    if not name or name in done:
        continue
    seen[name] = seen.get(name, 0) + 1
    if seen[name] < skip:
        continue
    steps = 0
    with open("%s-%s.txt" % (os.environ["TRACE_OUT"], name), "w") as out:
        while True:
            pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
            sp = int(gdb.parse_and_eval("$sp")) & 0xFFFFFFFFFFFFFFFF
            out.write("%x %x\n" % (pc, sp))
            if pc < 0xFFFF800000000000 or steps > 2000000:
                break
            gdb.execute("stepi", to_string=True)
            steps += 1
    done.add(name)
    gdb.write("trace-ioctl: %s: %d instructions\n" % (name, steps))
gdb.execute("kill")
