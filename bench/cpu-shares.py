#!/usr/bin/env python3
"""CPU time of the Java processes on this machine, by role and by kind of thread, while a command runs.

    bench/cpu-shares.py [--interval S] [--json FILE] [--top N] -- COMMAND [ARGS...]

Runs COMMAND, samples /proc every S seconds (default 0.2) and, when COMMAND ends, prints the CPU seconds (user +
system) that each role spent from the command's start: the Spark driver (a RadLab JVM that is none of the others), executors,
the standalone master and workers, and any other JVM; each split into task threads, JIT compiler threads, GC
threads and the rest. CPU a thread spends after its last sample (under S seconds) is not counted. Exits with the
command's status. --top N also lists each role's N busiest threads (by name). Linux only.
"""
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def role(cmdline):
    if "CoarseGrainedExecutorBackend" in cmdline:
        return "executor"
    if "deploy.master.Master" in cmdline:
        return "master"
    if "deploy.worker.Worker" in cmdline:
        return "worker"
    if "org.radlab" in cmdline or "radlab" in cmdline:
        return "driver"
    return "other java"


def kind(name):
    if name.startswith(("C1 Compiler", "C2 Compiler")):
        return "jit"
    if name.startswith(("GC Thread", "G1 ")):
        return "gc"
    if name.startswith("Executor task") or name == "main":
        return "tasks/main"
    return "other"


def java_pids():
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmd.split(" ", 1)[0].endswith("java"):
            yield int(pid), cmd


def threads(pid):
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except OSError:
        return
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        yield int(tid), name, (int(fields[11]) + int(fields[12])) / TICK


def main(argv):
    interval, out, top = 0.2, None, 0
    while argv and argv[0] != "--":
        if argv[0] == "--interval":
            interval, argv = float(argv[1]), argv[2:]
        elif argv[0] == "--top":
            top, argv = int(argv[1]), argv[2:]
        elif argv[0] == "--json":
            out, argv = argv[1], argv[2:]
        else:
            sys.exit(__doc__)
    if len(argv) < 2:
        sys.exit(__doc__)
    before = {}  # (pid, tid) -> cpu seconds at the start, for JVMs already running
    for pid, _ in java_pids():
        for tid, _, cpu in threads(pid):
            before[(pid, tid)] = cpu
    last = {}  # (pid, tid) -> (role, kind, cpu seconds)
    names = {}  # (pid, tid) -> thread name
    roles = {}
    started = time.time()
    child = subprocess.Popen(argv[1:])
    while True:
        for pid, cmd in java_pids():
            r = roles.setdefault(pid, role(cmd))
            for tid, name, cpu in threads(pid):
                last[(pid, tid)] = (r, kind(name), cpu - before.get((pid, tid), 0.0))
                names[(pid, tid)] = name
        if child.poll() is not None:
            break
        time.sleep(interval)
    wall = time.time() - started
    table = {}
    for r, k, cpu in last.values():
        table.setdefault(r, {}).setdefault(k, 0.0)
        table[r][k] += cpu
    kinds = ["tasks/main", "jit", "gc", "other"]
    total = sum(sum(v.values()) for v in table.values())
    print("cpu seconds by role and thread kind (wall %.1f s, %d cores, total %.1f cpu s):" % (wall, os.cpu_count(), total))
    print("%-11s %10s %8s %8s %8s %8s" % ("role", "tasks/main", "jit", "gc", "other", "all"))
    for r in sorted(table, key=lambda x: -sum(table[x].values())):
        v = table[r]
        print("%-11s %10.1f %8.1f %8.1f %8.1f %8.1f" % ((r,) + tuple(v.get(k, 0.0) for k in kinds) +
                                                         (sum(v.values()),)))
    if top:
        for r in sorted(table, key=lambda x: -sum(table[x].values())):
            by_name = {}
            for key, (role_, _, cpu) in last.items():
                if role_ == r:
                    name = names[key].rstrip("0123456789#-")
                    by_name[name] = by_name.get(name, 0.0) + cpu
            busiest = sorted(by_name.items(), key=lambda kv: -kv[1])[:top]
            print("%-11s busiest threads: %s" % (r, ", ".join("%s %.1f" % kv for kv in busiest)))
    if out:
        with open(out, "w") as f:
            json.dump({"wall": wall, "cores": os.cpu_count(), "cpu": table}, f, indent=1)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
