"""An independent reference for RadLab's detector loss, written from FCOS's definitions with numpy.

stdin: JSON {alpha, gamma, cls (N,C,H,W), dist (N,4,H,W), ctr (N,1,H,W), cls_t, dist_t, ctr_t, pos}
stdout: JSON [classification, box, centerness]
"""
import json
import sys

import numpy as np

d = json.load(sys.stdin)
a, g = d["alpha"], d["gamma"]
z, y = np.array(d["cls"], dtype=np.float64), np.array(d["cls_t"], dtype=np.float64)
p = 1 / (1 + np.exp(-z))
pt = np.where(y == 1, p, 1 - p)
at = np.where(y == 1, a, 1 - a)
focal = -at * (1 - pt) ** g * np.log(pt)
pos = np.array(d["pos"], dtype=np.float64)[:, 0]
npos = max(pos.sum(), 1.0)
classification = focal.sum() / npos

pr, tg = np.array(d["dist"], dtype=np.float64), np.array(d["dist_t"], dtype=np.float64)
box_loss, weights = 0.0, 0.0
ctr_t = np.array(d["ctr_t"], dtype=np.float64)[:, 0]
for idx in zip(*np.nonzero(pos)):
    n, i, j = idx
    l, t, r, b = pr[n, :, i, j]
    lt, tt, rt, bt = tg[n, :, i, j]
    # the two boxes around the cell centre, as corners
    p0, p1 = np.array([-l, -t]), np.array([r, b])
    q0, q1 = np.array([-lt, -tt]), np.array([rt, bt])
    inter = np.prod(np.clip(np.minimum(p1, q1) - np.maximum(p0, q0), 0, None))
    union = np.prod(p1 - p0) + np.prod(q1 - q0) - inter
    hull = np.prod(np.maximum(p1, q1) - np.minimum(p0, q0))
    giou = inter / union - (hull - union) / hull
    w = ctr_t[n, i, j]
    box_loss += (1 - giou) * w
    weights += w
box = box_loss / max(weights, 1e-6)

c = np.array(d["ctr"], dtype=np.float64)[:, 0]
pc = 1 / (1 + np.exp(-c))
bce = -(ctr_t * np.log(pc) + (1 - ctr_t) * np.log(1 - pc))
center = (bce * pos).sum() / npos
print(json.dumps([classification, box, center]))
