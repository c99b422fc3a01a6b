"""bench/segment speed's reference side: RadLab's U-Net (core's UNet) written in plain PyTorch, trained with its loss
(cross-entropy over the pixels plus soft Dice over the foreground classes, core's SegmentationLoss) and Adam.

  python3 segment_step.py init DIR WIDTH SIDE BATCH CLASSES
      writes DIR/data.bin (a batch of random images and masks) and DIR/weights.bin (the network's initial parameters,
      batch-norm statistics included, in the order of RadLab's block), which bench/SegmentStep.java loads too, so
      that both sides train the same network from the same weights on the same batch
  python3 segment_step.py run DIR WIDTH SIDE BATCH CLASSES STEPS WARMUP THREADS
      loads both, then prints one line: "images_per_second=X parameters=N eval_loss=E first_loss=F last_loss=L"
      (trainable parameters; the loss in inference mode before training, that of the first step, in training mode
      before its update, and that of the last step)

Files (little-endian): data.bin holds BATCH x SIDE x SIDE float32 images, then as many uint8 class indices;
weights.bin holds int32 count, then per tensor int32 name length, the UTF-8 name, int32 rank, int32 dims, float32
values."""
import struct
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

LEVELS = 4  # UNet.LEVELS: poolings between the input and the bottleneck


def channels(published, width):
    # Layers.channels: rounded to a multiple of 8, at least 8 (Java's Math.round)
    return max(8, int(published * width / 8.0 + 0.5) * 8)


def two_convs(cin, cout):
    # UNet.twoConvs: two Layers.convBnRelu(cout, 3, 1, 1) (convolution without bias, batch norm, ReLU)
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """Modules registered in the order of UNet's child blocks: encoder0..4, then project3, decoder3, ... decoder0,
    out; so the state dict lists the tensors in the order of RadLab's parameters."""

    def __init__(self, classes, width):
        super().__init__()
        self.outputs = classes + 1
        c = [channels(64 << level, width) for level in range(LEVELS + 1)]
        cin = 1
        for level in range(LEVELS + 1):
            setattr(self, "encoder%d" % level, two_convs(cin, c[level]))
            cin = c[level]
        below = c[LEVELS]
        for level in range(LEVELS - 1, -1, -1):
            setattr(self, "project%d" % level, nn.Conv2d(below, c[level], 1, 1, 0, bias=True))
            setattr(self, "decoder%d" % level, two_convs(2 * c[level], c[level]))
            below = c[level]
        # a multiple of 8 output channels, of which the first classes + 1 are used (oneDNN, see UNet)
        self.out = nn.Conv2d(c[0], 8 * ((self.outputs + 7) // 8), 1, 1, 0, bias=True)

    def forward(self, x):
        skips = []
        for level in range(LEVELS + 1):
            if level > 0:
                x = F.max_pool2d(x, 2, 2)
            x = getattr(self, "encoder%d" % level)(x)
            skips.append(x)
        y = skips[LEVELS]
        for level in range(LEVELS - 1, -1, -1):
            up = getattr(self, "project%d" % level)(F.interpolate(y, scale_factor=2, mode="nearest"))
            y = getattr(self, "decoder%d" % level)(torch.cat([up, skips[level]], 1))
        return self.out(y)[:, :self.outputs]


def segmentation_loss(logits, target):
    """SegmentationLoss: the pixels' mean cross-entropy plus the mean over the foreground classes of one minus the
    soft Dice over the whole batch, (2 sum p t + 1) / (sum p + sum t + 1)."""
    ce = F.cross_entropy(logits, target)
    p = logits.softmax(1)
    one_hot = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).to(p.dtype)
    intersection = (p * one_hot).sum((0, 2, 3))
    total = p.sum((0, 2, 3)) + one_hot.sum((0, 2, 3))
    dice = (2 * intersection + 1) / (total + 1)
    return ce + (1 - dice[1:]).mean()


def make_batch(batch, side, classes, seed):
    """Images of noise with a large disk (class 1) holding a small one (class 2, ... up to classes), the masks
    their class indices: the shape of a segmentation batch; the values do not change the work."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(side, dtype=torch.float32), torch.arange(side, dtype=torch.float32),
                            indexing="ij")
    masks = torch.zeros(batch, side, side, dtype=torch.uint8)
    for i in range(batch):
        cy, cx = (torch.rand(2, generator=g) * 0.5 + 0.25) * side
        r = (0.15 + 0.15 * torch.rand(1, generator=g).item()) * side
        masks[i][(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 1
        for k in range(2, classes + 1):
            r2 = r * (0.2 + 0.2 * torch.rand(1, generator=g).item())
            oy, ox = (torch.rand(2, generator=g) - 0.5) * r
            masks[i][(yy - cy - oy) ** 2 + (xx - cx - ox) ** 2 <= r2 * r2] = k
    images = 0.3 * torch.randn(batch, side, side, generator=g) + masks.to(torch.float32) * 0.8
    return images.contiguous(), masks.contiguous()


def save(directory, model, images, masks):
    with open(directory + "/data.bin", "wb") as f:
        f.write(images.numpy().astype("<f4").tobytes())
        f.write(masks.numpy().tobytes())
    tensors = [(name, t) for name, t in model.state_dict().items() if not name.endswith("num_batches_tracked")]
    with open(directory + "/weights.bin", "wb") as f:
        f.write(struct.pack("<i", len(tensors)))
        for name, t in tensors:
            encoded = name.encode("utf-8")
            f.write(struct.pack("<i", len(encoded)) + encoded)
            f.write(struct.pack("<i", t.dim()) + struct.pack("<%di" % t.dim(), *t.shape))
            f.write(t.detach().contiguous().numpy().astype("<f4").tobytes())


def load(directory, model, batch, side):
    n = batch * side * side
    raw = open(directory + "/data.bin", "rb").read()
    if len(raw) != 5 * n:
        sys.exit("data.bin holds %d bytes, not %d: made for another batch or side" % (len(raw), 5 * n))
    images = torch.frombuffer(bytearray(raw[:4 * n]), dtype=torch.float32).reshape(batch, 1, side, side)
    masks = torch.frombuffer(bytearray(raw[4 * n:]), dtype=torch.uint8).reshape(batch, side, side).long()
    state = model.state_dict()
    with open(directory + "/weights.bin", "rb") as f:
        count, = struct.unpack("<i", f.read(4))
        for _ in range(count):
            length, = struct.unpack("<i", f.read(4))
            name = f.read(length).decode("utf-8")
            rank, = struct.unpack("<i", f.read(4))
            shape = struct.unpack("<%di" % rank, f.read(4 * rank))
            values = torch.frombuffer(bytearray(f.read(4 * _numel(shape))), dtype=torch.float32)
            state[name].copy_(values.reshape(shape))
    return images, masks


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def main():
    what, directory = sys.argv[1], sys.argv[2]
    width = float(sys.argv[3])
    side, batch, classes = (int(a) for a in sys.argv[4:7])
    torch.manual_seed(1)
    model = UNet(classes, width)
    if what == "init":
        images, masks = make_batch(batch, side, classes, 1)
        save(directory, model, images, masks)
        return
    steps, warmup, threads = (int(a) for a in sys.argv[7:10])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    x, y = load(directory, model, batch, side)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    model.eval()
    with torch.no_grad():
        eval_loss = segmentation_loss(model(x), y).item()
    model.train()

    def step():
        opt.zero_grad()
        loss = segmentation_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    first = step()
    for _ in range(warmup - 1):
        step()
    t0 = time.perf_counter()
    last = first
    for _ in range(steps):
        last = step()
    seconds = time.perf_counter() - t0
    print("images_per_second=%.2f parameters=%d eval_loss=%.6f first_loss=%.6f last_loss=%.6f"
          % (steps * batch / seconds, params, eval_loss, first, last))


if __name__ == "__main__":
    main()
