"""bench/train's reference side: the same ResNet-18 (one input channel, 4 classes, torchvision's layout) trained with
native PyTorch on random data, Adam, cross-entropy, timed after a warm-up. Prints "images_per_second=X".
Usage: python3 train_step.py SIDE BATCH STEPS THREADS"""
import sys
import time

import torch
from torch import nn


def conv_bn(cin, cout, k, stride, pad):
    return [nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout)]


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(*conv_bn(cin, cout, 3, stride, 1), nn.ReLU(inplace=True),
                                  *conv_bn(cout, cout, 3, 1, 1))
        self.skip = nn.Sequential(*conv_bn(cin, cout, 1, stride, 0)) if stride != 1 or cin != cout else nn.Identity()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.main(x) + self.skip(x))


def resnet18(classes):
    layers = [*conv_bn(1, 64, 7, 2, 3), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, cout in enumerate([64, 128, 256, 512]):
        for unit in range(2):
            stride = 2 if stage > 0 and unit == 0 else 1
            layers.append(Basic(cin, cout, stride))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


def main():
    side, batch, steps, threads = (int(a) for a in sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = resnet18(4)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, 1, side, side)
    y = torch.randint(0, 4, (batch,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(5):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - t0
    print("images_per_second=%.2f" % (steps * batch / seconds))


if __name__ == "__main__":
    main()
