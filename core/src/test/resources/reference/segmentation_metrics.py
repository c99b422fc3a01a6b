"""An independent reference for RadLab's segmentation metrics, written from their definitions with numpy alone:
Dice and IoU per class over a series' voxels, the surface as the mask minus its erosion by the face neighbours
(outside the volume counts as outside the mask; in-plane only for a single slice), surface distances by brute force
over every pair of surface voxels in millimetres, HD95 as the larger of the two directed 95th percentiles
(numpy's linear interpolation), and volumes in mL.

Input (argv[1]): JSON {"classes": k, "series": [{"id", "shape": [d, h, w], "spacing": [z, y, x] mm,
"predicted": [labels, flat, x fastest], "reference": [...]}]}. Output: JSON on stdout, per series and class.
"""
import json
import sys

import numpy as np


def surface(mask):
    d = mask.shape[0]
    padded = np.pad(mask, 1, constant_values=False)
    eroded = mask.copy()
    # in-plane face neighbours
    eroded &= padded[1:-1, :-2, 1:-1] & padded[1:-1, 2:, 1:-1]
    eroded &= padded[1:-1, 1:-1, :-2] & padded[1:-1, 1:-1, 2:]
    if d > 1:
        eroded &= padded[:-2, 1:-1, 1:-1] & padded[2:, 1:-1, 1:-1]
    return mask & ~eroded


def hd95(p, r, spacing):
    sp, sr = surface(p), surface(r)
    if not sp.any() or not sr.any():
        return None
    a = np.argwhere(sp) * np.asarray(spacing, dtype=float)
    b = np.argwhere(sr) * np.asarray(spacing, dtype=float)
    dist = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return float(max(np.percentile(dist.min(axis=1), 95), np.percentile(dist.min(axis=0), 95)))


def main():
    spec = json.load(open(sys.argv[1]))
    out = []
    for s in spec["series"]:
        shape = tuple(s["shape"])
        pred = np.asarray(s["predicted"], dtype=np.int32).reshape(shape)
        ref = np.asarray(s["reference"], dtype=np.int32).reshape(shape)
        voxel_ml = float(np.prod(s["spacing"])) / 1000.0
        classes = []
        for c in range(1, spec["classes"] + 1):
            p, r = pred == c, ref == c
            inter, np_, nr = int((p & r).sum()), int(p.sum()), int(r.sum())
            union = np_ + nr - inter
            classes.append({
                "dice": None if union == 0 else 2.0 * inter / (np_ + nr),
                "iou": None if union == 0 else inter / union,
                "hd95": hd95(p, r, s["spacing"]),
                "predictedMl": np_ * voxel_ml,
                "referenceMl": nr * voxel_ml,
            })
        out.append({"id": s["id"], "classes": classes})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
