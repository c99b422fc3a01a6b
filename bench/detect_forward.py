"""bench/detect speed's reference side: RadLab's detector (core's DetectorNet: a ResNet-18 stem and first three
stages, the top-down merge to stride 4, two towers and the output convolutions) written in plain PyTorch, run
forward in inference mode on random inputs, timed after a warm-up. Prints "images_per_second=X parameters=N" (its
trainable parameters, to check it is the same network as RadLab's).
Usage: python3 detect_forward.py WIDTH SIDE BATCH BATCHES THREADS"""
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

from train_step import Basic, conv_bn  # bench/train's ResNet blocks, torchvision's layout


def channels(published, width):
    # Layers.channels: rounded to a multiple of 8, at least 8 (Java's Math.round)
    return max(8, int(published * width / 8.0 + 0.5) * 8)


class Detector(nn.Module):
    def __init__(self, classes, width):
        super().__init__()
        f = channels(64, width)
        self.stem = nn.Sequential(*conv_bn(1, f, 7, 2, 3), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        stages, cin = [], f
        for stage in range(3):
            cout = channels(64 << stage, width)
            units = [Basic(cin, cout, 2 if stage > 0 else 1), Basic(cout, cout, 1)]
            stages.append(nn.Sequential(*units))
            cin = cout
        self.stage1, self.stage2, self.stage3 = stages
        self.lateral1 = nn.Conv2d(channels(64, width), f, 1)
        self.lateral2 = nn.Conv2d(channels(128, width), f, 1)
        self.lateral3 = nn.Conv2d(channels(256, width), f, 1)
        self.smooth = nn.Conv2d(f, f, 3, 1, 1)

        def tower():
            return nn.Sequential(*conv_bn(f, f, 3, 1, 1), nn.ReLU(inplace=True), *conv_bn(f, f, 3, 1, 1),
                                 nn.ReLU(inplace=True))
        self.class_tower, self.box_tower = tower(), tower()
        self.classes = classes
        self.class_out = nn.Conv2d(f, 8 * ((classes + 7) // 8), 3, 1, 1)
        self.box_out = nn.Conv2d(f, 8, 3, 1, 1)

    def forward(self, x):
        c1 = self.stage1(self.stem(x))
        c2 = self.stage2(c1)
        c3 = self.stage3(c2)
        p3 = self.lateral3(c3)
        p2 = self.lateral2(c2) + F.interpolate(p3, scale_factor=2, mode="nearest")
        p1 = self.lateral1(c1) + F.interpolate(p2, scale_factor=2, mode="nearest")
        f = self.smooth(p1)
        logits = self.class_out(self.class_tower(f))[:, :self.classes]
        box = self.box_out(self.box_tower(f))
        return logits, box[:, 0:4].clamp(-8, 8).exp(), box[:, 4:5]


def main():
    width = float(sys.argv[1])
    side, batch, batches, threads = (int(a) for a in sys.argv[2:6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Detector(2, width).eval()
    x = torch.randn(batch, 1, side, side)
    with torch.no_grad():
        for _ in range(3):
            model(x)
        t0 = time.perf_counter()
        for _ in range(batches):
            out = model(x)
            [o.contiguous().numpy() for o in out]  # the outputs read out, as RadLab copies them to Java
        seconds = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    print("images_per_second=%.2f parameters=%d" % (batches * batch / seconds, params))


if __name__ == "__main__":
    main()
