"""Writes a TorchScript ResNet-18 laid out like torchvision's (conv1, bn1, layer1..layer4 of basic blocks with
downsample, fc), with 3 input channels and random seeded weights, as an ImageNet export would be; plus, for the
test to compare against, the first convolution's weights summed over the input channels and layer1.0.conv1's
weights, as raw little-endian float32. Usage: python3 export_resnet18.py OUT_DIR"""
import sys

import numpy as np
import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(y + skip)


class ResNet18(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths = [64, 128, 256, 512]
        cin = 64
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, "layer%d" % (i + 1), nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def main():
    out = sys.argv[1]
    torch.manual_seed(42)
    model = ResNet18().eval()
    torch.jit.script(model).save(out + "/resnet18-imagenet-like.pt")
    summed = model.conv1.weight.detach().sum(dim=1, keepdim=True).numpy().astype("<f4")
    summed.tofile(out + "/conv1-summed.f32")
    model.layer1[0].conv1.weight.detach().numpy().astype("<f4").tofile(out + "/layer1-0-conv1.f32")


if __name__ == "__main__":
    main()
