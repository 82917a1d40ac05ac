"""PyTorch re-implementation of the network in robustml-eurecom/glaucoma_mtl.

Written from the facts recorded in PAPER_ARCHITECTURE.md (not copied from
that repository). It exists only as the peer for benchmarks: it is not part
of the product.

Layout (NCHW, width multiplier w scales every channel count; w=1 is the paper):
  encoder  inc   : conv3x3(3->64)  BN ReLU, conv3x3(64->64) BN ReLU          (x1, H)
           down1 : maxpool2, conv(64->128),  conv(128->128)                 (x2, H/2)
           down2 : maxpool2, conv(128->256), conv(256->256)                 (x3, H/4)
           down3 : maxpool2, conv(256->512), conv(512->512)                 (x4, H/8)
           down4 : maxpool2, conv(512->512), conv(512->512)                 (x5, H/16)
  decoder  upK   : bilinear x2 (align_corners=True), concat [skip, up],
                   conv(cin -> cin/2) BN ReLU, conv(cin/2 -> cout) BN ReLU
           up1 1024->512->256, up2 512->256->128, up3 256->128->64, up4 128->64->64
  heads    OD, OC, fovea: conv1x1(64->1) + sigmoid on the decoder output
           glaucoma: global max-pool of x5, dropout p=0.8, linear(512->1) + sigmoid
Every conv has a bias and is followed by BatchNorm2d(affine, track_running_stats=False),
i.e. batch statistics in train AND eval mode (as in the paper's code).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

TASKS = ("glaucoma", "od", "oc", "fovea")


def conv_bn_relu(cin: int, cout: int, track_running_stats: bool) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=True),
        nn.BatchNorm2d(cout, track_running_stats=track_running_stats),
        nn.ReLU(inplace=True),
    )


def double_conv(cin: int, cmid: int, cout: int, trs: bool) -> nn.Sequential:
    return nn.Sequential(conv_bn_relu(cin, cmid, trs), conv_bn_relu(cmid, cout, trs))


class Up(nn.Module):
    """Bilinear x2 upsampling (align_corners=True), concat [skip, upsampled], double conv."""

    def __init__(self, cin: int, cout: int, trs: bool) -> None:
        super().__init__()
        self.conv = double_conv(cin, cin // 2, cout, trs)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        dy = skip.shape[2] - x.shape[2]
        dx = skip.shape[3] - x.shape[3]
        if dy or dx:
            x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([skip, x], dim=1))


class PaperUNet(nn.Module):
    """Multi-task U-Net. forward(x) -> dict of the four sigmoid outputs;
    forward_task(x, t) runs only what task t needs (glaucoma stops at the encoder)."""

    def __init__(self, width: float = 1.0, track_running_stats: bool = False, dropout: float = 0.8) -> None:
        super().__init__()
        c = [max(1, round(ch * width)) for ch in (64, 128, 256, 512, 512)]
        trs = track_running_stats
        self.inc = double_conv(3, c[0], c[0], trs)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), double_conv(c[0], c[1], c[1], trs))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), double_conv(c[1], c[2], c[2], trs))
        self.down3 = nn.Sequential(nn.MaxPool2d(2), double_conv(c[2], c[3], c[3], trs))
        self.down4 = nn.Sequential(nn.MaxPool2d(2), double_conv(c[3], c[4], c[4], trs))
        self.up1 = Up(c[3] + c[4], c[2], trs)
        self.up2 = Up(c[2] + c[2], c[1], trs)
        self.up3 = Up(c[1] + c[1], c[0], trs)
        self.up4 = Up(c[0] + c[0], c[0], trs)
        self.head_od = nn.Conv2d(c[0], 1, kernel_size=1)
        self.head_oc = nn.Conv2d(c[0], 1, kernel_size=1)
        self.head_fovea = nn.Conv2d(c[0], 1, kernel_size=1)
        self.cls_dropout = nn.Dropout(p=dropout)
        self.cls_fc = nn.Linear(c[4], 1)

    # -- parts -------------------------------------------------------------
    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        return [x1, x2, x3, x4, x5]

    def decode(self, feats: list[torch.Tensor]) -> torch.Tensor:
        x1, x2, x3, x4, x5 = feats
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        return self.up4(x, x1)

    def classify(self, x5: torch.Tensor) -> torch.Tensor:
        """[B,C,h,w] -> [B] glaucoma probability (global max-pool, dropout, linear, sigmoid)."""
        pooled = torch.amax(x5, dim=(2, 3))
        return torch.sigmoid(self.cls_fc(self.cls_dropout(pooled))).squeeze(1)

    def dense_head(self, task: str, dec: torch.Tensor) -> torch.Tensor:
        head = {"od": self.head_od, "oc": self.head_oc, "fovea": self.head_fovea}[task]
        return torch.sigmoid(head(dec))  # [B,1,H,W]

    # -- passes ------------------------------------------------------------
    def forward_task(self, x: torch.Tensor, task: str) -> torch.Tensor:
        feats = self.encode(x)
        if task == "glaucoma":
            return self.classify(feats[4])
        return self.dense_head(task, self.decode(feats))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        feats = self.encode(x)
        dec = self.decode(feats)
        return {
            "glaucoma": self.classify(feats[4]),
            "od": self.dense_head("od", dec),
            "oc": self.dense_head("oc", dec),
            "fovea": self.dense_head("fovea", dec),
        }

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        return {
            "encoder": [p for m in (self.inc, self.down1, self.down2, self.down3, self.down4) for p in m.parameters()],
            "decoder": [p for m in (self.up1, self.up2, self.up3, self.up4) for p in m.parameters()],
            "head_od": list(self.head_od.parameters()),
            "head_oc": list(self.head_oc.parameters()),
            "head_fovea": list(self.head_fovea.parameters()),
            "head_glaucoma": list(self.cls_fc.parameters()),
        }


# -- losses (as in the paper's code: on sigmoid outputs, mean reductions) -----

def focal_loss(p: torch.Tensor, y: torch.Tensor, alpha: float = 1.0, gamma: float = 2.0) -> torch.Tensor:
    bce = F.binary_cross_entropy(p, y, reduction="none")
    pt = torch.exp(-bce)
    return (alpha * (1 - pt) ** gamma * bce).mean()


def task_loss(task: str, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if task == "glaucoma":
        return focal_loss(pred, target)
    if task in ("od", "oc"):
        return F.binary_cross_entropy(pred, target, reduction="mean")
    return F.l1_loss(pred[:, 0], target, reduction="mean")  # fovea: target [B,H,W] Gaussian, peak 1


def gaussian_heatmap(size: int, cx: float, cy: float, cov: float = 50.0) -> torch.Tensor:
    """[size,size] isotropic Gaussian, variance `cov` px^2, peak normalised to 1."""
    ys = torch.arange(size, dtype=torch.float32).view(-1, 1)
    xs = torch.arange(size, dtype=torch.float32).view(1, -1)
    return torch.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * cov))
