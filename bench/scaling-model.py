#!/usr/bin/python3
"""The cost model of docs/scaling.md: a training round's time on N executors, for three ways to exchange weights.

    bench/scaling-model.py check      the model against the simulated runs of bench/scale (N <= 4)
    bench/scaling-model.py project    8 to 512 executors; CPU and GPU nodes; 10 and 100 Gbit/s

A round is K optimizer steps on each of N replicas, one per executor, each executor on a node of its own with a
link of B bytes/s, the driver too:

    T(N) = K * t_step + t_round + x_replica + t_exchange(N)

t_round: the round's fixed cost (a Spark job: submission, one task per executor, results);
x_replica: a replica's own work to take in the update and read out its change (CPU, about P values);
t_exchange: moving the weights, for each design:
    driver   (today: torrent broadcast of the update, then treeAggregate of the changes into the driver)
             = c * N * M / B  +  d(N) * M_d / B  (+ a shuffle stage and s(N) * M / B at the aggregators when
               treeAggregate adds a level) + d(N) * P / r_merge
             M: the update or change (P values of 2 bytes in fp16, 4 in fp32); c: copies of the broadcast that
             leave the driver per executor (measured: 1.0); d(N): results the driver takes in (N for N <= 4,
             about sqrt(N) merged fp32 sums beyond, as RDD.treeAggregate with depth 2 does).
    sliced   (BigDL: each executor owns P/N of the parameters, reduces that slice and serves it to the others
             through the block manager; the driver only schedules)
             = 2 * (N - 1) / N * M / B  +  t_round  (a second Spark job a round: reduce, then fetch)
    ring     (all-reduce among the executors inside one barrier stage that runs many rounds)
             = 2 * (N - 1) / N * M / B  +  2 * (N - 1) * t_hop, and t_round only once per stage
"""
import math
import sys

MBIT = 1e6 / 8  # bytes per second
GBIT = 1e9 / 8

# ---- Measured on the simulated cluster (bench/scale train, 2026-12-07; docs/benchmarks.md) --------------------------
# resnet18 width 0.5 (2,796,772 parameters), input 128, batch 16 a round, nodes of a quarter core.
SIM = {
    "P": 2_796_772,
    # one node, K = 1: the round minus the replica's steps (a 1-task Spark job on a quarter-core executor)
    "t_round_1": 0.196 * 1.73,  # 0.34 s
    "c": 1.0,
    # optimizer steps an epoch (205 training images, batch 16); the epoch's last round also brings every replica's
    # Adam state (two fp32 values a parameter) to the driver for the checkpoint
    "steps_per_epoch": 13,
    # a replica's own exchange work a round with several replicas (taking in the update, reading out its change),
    # on a quarter core: the 2.5 Gbit/s runs' exchange time minus the broadcast's transfer through the driver's link
    "x_replica": {False: 0.395 - 4 * 11.19 / 312.5, True: 0.46 - 4 * 5.59 / 312.5},
    "state_bytes": 8 * 2_796_772,
}

# Runs to check against, as bench/scale printed them: (N, link Mbit/s, K, fp16?, the compute share of the round,
# the round's seconds); see docs/scaling.md.
SIM_RUNS = [
    # 2 nodes, 250 Mbit/s
    (2, 250, 1, False, 0.305, 2.84),
    (2, 250, 1, True, 0.337, 2.21),
    (2, 250, 8, False, 0.557, 7.80),
    (2, 250, 8, True, 0.644, 6.53),
    # 4 nodes, 250 Mbit/s
    (4, 250, 1, False, 0.138, 3.76),
    (4, 250, 1, True, 0.164, 2.59),
    (4, 250, 8, False, 0.320, 8.53),
    (4, 250, 8, True, 0.391, 6.70),
    # 2 and 4 nodes, 2.5 Gbit/s
    (2, 2500, 1, False, 0.500, 1.75),
    (2, 2500, 1, True, 0.448, 1.77),
    (4, 2500, 1, False, 0.368, 1.60),
    (4, 2500, 1, True, 0.312, 1.57),
]

# Ring runs (exchange "ring", 250 Mbit/s, batch 16 a round, fp16; bench/scale --exchanges ring, 2026-12-07): (N, K,
# the slowest replica's compute a round in s (its share times its round), the replica's exchange a round in s, the
# measured images/s). The replica's own exchange work a round (encoding, adding, decoding about 2 P values on a
# quarter core) is calibrated on the first run alone, its exchange time minus its bytes on the wire; the other three
# runs check the model.
RING_RUNS = [
    (2, 1, 0.582 * 1.09, 0.477 * 1.09, 11.46),
    (4, 1, 0.449 * 0.99, 0.599 * 0.99, 11.55),
    (2, 8, 0.879 * 5.11, 0.151 * 5.11, 14.97),
    (4, 8, 0.858 * 3.90, 0.209 * 3.90, 15.25),
]

# ---- For the projections ---------------------------------------------------------------------------------------
# Published GPU training speeds, NVIDIA DeepLearningExamples, "ResNet50 v1.5 for PyTorch", training performance
# (pytorch-21.03 NGC container, 224 x 224): A100 80GB 2,470 images/s mixed precision, 938 TF32; V100 16GB 1,200
# mixed precision, 367 FP32, per GPU. ResNet-18 from ResNet-50 by their FLOPs per image (1.8 and 4.1 billion;
# He et al. 2016, table 1): 2.28 times faster (an assumption: small networks use a GPU less well).
GPU_IPS = {"resnet50": 2470.0, "resnet18": 2470.0 * 4.1 / 1.8}
# CPU node: RadLab's replica, ResNet-18 full width at 128 px, 56 images/s on 2 threads (docs/benchmarks.md,
# 2026-11-27), scaled linearly to a 16-core node (an assumption, optimistic for compute, so pessimistic for the
# exchange's share); ResNet-50 at 4.1/1.8 of its cost.
CPU_IPS = {"resnet18": 56.0 * 8, "resnet50": 56.0 * 8 * 1.8 / 4.1}
PARAMS = {"resnet18": 11_689_512, "resnet50": 25_557_032}
ASSUMED = {
    "t_round": 0.050,  # s: a Spark job's fixed cost on a real driver (submission, stage, result handling)
    "t_task": 0.002,  # s per task: launch and result handling on the driver
    "r_merge": 1e9,  # values/s the driver (or an executor) adds when merging
    # s per parameter and round: a replica taking in the update and reading out its fp16 change, as measured on the
    # simulated nodes (0.39 s for 2.8 M parameters on a quarter core: 35 ns on a whole core, one thread)
    "x_replica_per_value": 0.39 / 2_796_772 / 4,
    "t_hop": 50e-6,  # s: one message between two executors in a datacenter network
    "rounds_per_stage": 50,  # rounds one barrier stage runs (an epoch's worth or less)
}


def tree(n):
    """Results reaching the driver from RDD.treeAggregate (depth 2) over n partitions; the fan-in at each
    aggregator when it adds a level (0 when it does not)."""
    scale = max(math.ceil(n ** 0.5), 2)
    parts, fan_in = n, 0
    while parts > scale + math.ceil(parts / scale):
        fan_in = scale
        parts //= scale
    return parts, fan_in


def exchange(design, n, p, half, bandwidth, a, c=1.0):
    """Seconds a round spends moving and merging weights beyond the replicas' steps."""
    m = p * (2 if half else 4)
    if n == 1:
        return 0.0
    if design == "driver":
        results, fan_in = tree(n)
        merged = p * 4 if fan_in else m  # merged sums travel as fp32
        t = c * n * m / bandwidth + results * merged / bandwidth + results * p / a["r_merge"]
        if fan_in:
            t += a["t_round"] + fan_in * m / bandwidth + fan_in * p / a["r_merge"]
        return t
    if design == "sliced":
        return 2 * (n - 1) / n * m / bandwidth + a["t_round"] + n * a["t_task"] + p / a["r_merge"]
    if design == "ring":
        return 2 * (n - 1) / n * m / bandwidth + 2 * (n - 1) * a["t_hop"] + p / a["r_merge"]
    raise ValueError(design)


def round_time(design, n, p, k, t_step, half, bandwidth, a):
    per_round = a["t_round"] + n * a["t_task"]
    if design == "ring":
        per_round = per_round / a["rounds_per_stage"]  # the stage's job is paid once for many rounds
    replica = p * a["x_replica_per_value"] if n > 1 else 0.0  # a single replica keeps its weights between rounds
    return k * t_step + per_round + replica + exchange(design, n, p, half, bandwidth, a)


def project():
    measured_x = ASSUMED["x_replica_per_value"]
    bulk = dict(ASSUMED, x_replica_per_value=1e-9)
    print("Projected efficiency: the round time of one replica (which never exchanges) over that of N replicas at the")
    print("same batch per replica, changes in fp16. Replica work at 1 ns a parameter (what memory allows; today's code takes")
    print("%.0f ns, see below). Constants: %s." % (measured_x * 1e9, ", ".join(
        "%s=%g" % kv for kv in bulk.items())))
    cases = [("CPU node (16 cores)", CPU_IPS, 32), ("GPU node (A100)", GPU_IPS, 256)]
    for node, ips_table, batch in cases:
        for net in (10, 100):
            print()
            print("%s, %d Gbit/s, batch %d per replica" % (node, net, batch))
            print()
            print("| model | K | design | " + " | ".join("N=%d" % n for n in (8, 32, 128, 512)) + " |")
            print("|---|---|---|" + "---|" * 4)
            for model in ("resnet18", "resnet50"):
                t_step = batch / ips_table[model]
                for k in (1, 8):
                    for design in ("driver", "sliced", "ring"):
                        print("| %s | %d | %s | %s |" % (model, k, design, " | ".join(
                            "%.2f" % efficiency(design, n, model, k, t_step, net, bulk) for n in (8, 32, 128, 512))))
    print()
    print("With today's replica work (%.0f ns a parameter, measured), driver path, resnet50, K = 8:" % (measured_x * 1e9))
    print()
    print("| nodes | network | " + " | ".join("N=%d" % n for n in (8, 32, 128, 512)) + " |")
    print("|---|---|" + "---|" * 4)
    for node, ips_table, batch in cases:
        for net in (10, 100):
            t_step = batch / ips_table["resnet50"]
            print("| %s | %d Gbit/s | %s |" % (node, net, " | ".join(
                "%.2f" % efficiency("driver", n, "resnet50", 8, t_step, net, ASSUMED) for n in (8, 32, 128, 512))))


def efficiency(design, n, model, k, t_step, net, a):
    one = round_time(design, 1, PARAMS[model], k, t_step, True, net * GBIT, a)
    return one / round_time(design, n, PARAMS[model], k, t_step, True, net * GBIT, a)


def check():
    print("The model against the simulated runs (driver design; link and driver link of the run's bandwidth; the")
    print("epoch's last round also carries the replicas' optimizer states, spread over the epoch's rounds):")
    print("| N | link Mbit/s | K | changes | measured round s | model round s | model / measured |")
    print("|---|---|---|---|---|---|---|")
    for n, mbit, k, half, compute_share, measured in SIM_RUNS:
        compute = compute_share * measured
        # the sim's own fixed cost: the one-node round minus its steps; replicas' own work is inside it there
        t = compute + SIM["t_round_1"] + exchange("driver", n, SIM["P"], half, mbit * MBIT,
                                                 {"r_merge": 1e9, "t_round": SIM["t_round_1"]}, SIM["c"])
        t += SIM["x_replica"][half]
        rounds_per_epoch = math.ceil(SIM["steps_per_epoch"] / k)
        t += n * SIM["state_bytes"] / (mbit * MBIT) / rounds_per_epoch
        print("| %d | %d | %d | %s | %.2f | %.2f | %.2f |" % (n, mbit, k, "fp16" if half else "fp32", measured, t,
                                                            t / measured))


def check_ring():
    b = 250 * MBIT
    m = SIM["P"] * 2
    wire = lambda n: 2 * (n - 1) / n * m / b
    x_ring = RING_RUNS[0][3] - wire(RING_RUNS[0][0])
    print("The ring model against the simulated ring runs (250 Mbit/s, fp16, batch 16 a round). An epoch is")
    print("rounds x (compute + the replica's own exchange work + 2 (N-1)/N M / B) + one stage's fixed cost (the one-node")
    print("round minus its steps, %.2f s) + the epoch's end (every replica's Adam state and one copy of the weights" % (
        SIM["t_round_1"]))
    print("through the driver's link). The replica's own work, %.2f s a round, is calibrated on the first run:" % x_ring)
    print()
    print("| N | K | measured images/s | model images/s | model / measured |")
    print("|---|---|---|---|---|")
    for n, k, compute, exchanged, ips in RING_RUNS:
        rounds = math.ceil(SIM["steps_per_epoch"] / k)
        end = (n * SIM["state_bytes"] + SIM["P"] * 4) / b
        epoch = rounds * (compute + x_ring + wire(n)) + SIM["t_round_1"] + end
        model = SIM["steps_per_epoch"] * 16 / epoch
        print("| %d | %d | %.2f | %.2f | %.2f |" % (n, k, ips, model, model / ips))


def main(argv):
    what = argv[1] if len(argv) > 1 else "all"
    if what in ("check", "all"):
        check()
        print()
        check_ring()
        print()
    if what in ("project", "all"):
        project()
    if what not in ("check", "project", "all"):
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
