"""An independent reference for RadLab's detection metrics, written from COCO's published evaluation procedure
(pycocotools' evaluateImg and accumulate, boxes, every area, maxDets 100) with numpy, and FROC by brute force.

Usage: python3 detection_metrics.py TRUTH.csv PREDICTIONS.csv [--no-froc]  ->  JSON on stdout
(FROC by brute force is slow for thousands of detections; --no-froc leaves it out)
CSV columns: image,x_min,y_min,x_max,y_max,label[,score]; a truth row with an empty label lists an image without boxes.
"""
import csv
import json
import sys

import numpy as np


def read(path, scored):
    images, boxes = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["image"] not in images:
                images.append(row["image"])
            if row["label"] == "":
                continue
            box = [float(row[k]) for k in ("x_min", "y_min", "x_max", "y_max")]
            boxes.append({"image": row["image"], "label": row["label"], "box": box,
                          "score": float(row["score"]) if scored else None})
    return images, boxes


def iou(a, b):
    # the COCO box IoU, on corners
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
MAX_DET = 100


def evaluate_img(gts, dts):
    """One image and class: for each threshold, which of the (sorted, capped) detections matched."""
    order = np.argsort([-d["score"] for d in dts], kind="mergesort")
    dts = [dts[i] for i in order[:MAX_DET]]
    T, G, D = len(IOU_THRS), len(gts), len(dts)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    for tind, t in enumerate(IOU_THRS):
        for dind, d in enumerate(dts):
            best = min([t, 1 - 1e-10])
            m = -1
            for gind, g in enumerate(gts):
                if gtm[tind, gind] > 0:
                    continue
                o = iou(d["box"], g["box"])
                if o < best:
                    continue
                best = o
                m = gind
            if m == -1:
                continue
            gtm[tind, m] = 1
            dtm[tind, dind] = 1
    return dtm, np.array([d["score"] for d in dts]), G


def coco(images, truths, dets):
    classes = sorted({t["label"] for t in truths})
    precision = -np.ones((len(IOU_THRS), len(REC_THRS), len(classes)))
    for k, c in enumerate(classes):
        per = []
        for img in images:
            g = [t for t in truths if t["image"] == img and t["label"] == c]
            d = [x for x in dets if x["image"] == img and x["label"] == c]
            if not g and not d:
                continue
            per.append(evaluate_img(g, d))
        scores = np.concatenate([e[1] for e in per])
        inds = np.argsort(-scores, kind="mergesort")
        dtm = np.concatenate([e[0] for e in per], axis=1)[:, inds]
        npig = sum(e[2] for e in per)
        if npig == 0:
            continue
        tps = np.cumsum(dtm, axis=1).astype(float)
        fps = np.cumsum(np.logical_not(dtm), axis=1).astype(float)
        for t, (tp, fp) in enumerate(zip(tps, fps)):
            nd = len(tp)
            rc = tp / npig
            pr = (tp / (fp + tp + np.spacing(1))).tolist()
            q = np.zeros((len(REC_THRS),))
            for i in range(nd - 1, 0, -1):
                if pr[i] > pr[i - 1]:
                    pr[i - 1] = pr[i]
            found = np.searchsorted(rc, REC_THRS, side="left")
            for ri, pi in enumerate(found):
                if pi < nd:
                    q[ri] = pr[pi]
            precision[t, :, k] = q
    per_class = {}
    for k, c in enumerate(classes):
        s = precision[:, :, k]
        per_class[c] = {"ap": float(np.mean(s)), "ap50": float(np.mean(s[0])), "ap75": float(np.mean(s[5]))}
    def summary(s):
        return float(np.mean(s[s > -1]))
    return {"mAP": summary(precision), "AP50": summary(precision[0]), "AP75": summary(precision[5]),
            "perClass": per_class, "pr50": {c: precision[0, :, k].tolist() for k, c in enumerate(classes)}}


def froc(images, truths, dets, hit_iou=0.5, rates=(0.125, 0.25, 0.5, 1, 2, 4, 8)):
    # cap as COCO does, per image and class
    kept = []
    for img in images:
        for c in {d["label"] for d in dets if d["image"] == img}:
            mine = [d for d in dets if d["image"] == img and d["label"] == c]
            order = np.argsort([-d["score"] for d in mine], kind="mergesort")
            kept += [mine[i] for i in order[:MAX_DET]]
    points = [(0.0, 0.0)]
    for s in sorted({d["score"] for d in kept}, reverse=True):
        called = [d for d in kept if d["score"] >= s]
        found = sum(1 for t in truths if any(d["image"] == t["image"] and d["label"] == t["label"]
                                             and iou(d["box"], t["box"]) >= hit_iou for d in called))
        fp = sum(1 for d in called if not any(d["image"] == t["image"] and d["label"] == t["label"]
                                              and iou(d["box"], t["box"]) >= hit_iou for t in truths))
        points.append((fp / len(images), found / len(truths)))
    sens = [max([p[1] for p in points if p[0] <= r] + [0.0]) for r in rates]
    return {"sensitivity": sens, "mean": sum(sens) / len(sens), "points": len(points)}


if __name__ == "__main__":
    images, truths = read(sys.argv[1], False)
    _, dets = read(sys.argv[2], True)
    out = coco(images, truths, dets)
    if "--no-froc" not in sys.argv[3:]:
        out["froc"] = froc(images, truths, dets)
    print(json.dumps(out))
