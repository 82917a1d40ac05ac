"""PyTorch CPU peer benchmark for the paper's multi-task U-Net (see PAPER_ARCHITECTURE.md).

Measures, on synthetic data (the timing does not depend on the pixel values):
  - inference ms/image at batch 1 and batch 8 (model.eval(), torch.inference_mode(),
    warm-up, then the median of --repeats runs), in NCHW and/or channels_last;
  - the MTL-IO training step ms/image at --batch (default 4): tasks in the order
    glaucoma, OD, OC, fovea; per task: zero_grad, forward (glaucoma: encoder +
    classifier only), that task's loss, backward, step of that task's own Adam
    (lr 1e-4, each Adam built over all parameters as in the paper's code);
  - the summed-loss MTL step ms/image (one forward of all heads, sum of the four
    losses, one Adam) for reference.

Not part of the product. Usage: bench/peer/run.sh [--size 256] [--json] ...
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paper_model import TASKS, PaperUNet, gaussian_heatmap, task_loss  # noqa: E402


def cpu_model_name() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # ru_maxrss is KiB on Linux


def timed_median(fn, warmup: int, repeats: int) -> float:
    """Median wall time of fn() in ms after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def synthetic_batch(batch: int, size: int, gen: torch.Generator):
    """Images [B,3,S,S] in [0,1]; targets: glaucoma [B], OD/OC [B,1,S,S] discs, fovea [B,S,S] Gaussian."""
    x = torch.rand(batch, 3, size, size, generator=gen)
    ys = torch.arange(size, dtype=torch.float32).view(-1, 1)
    xs = torch.arange(size, dtype=torch.float32).view(1, -1)
    od, oc, fov = [], [], []
    for b in range(batch):
        cx, cy = size * (0.6 + 0.05 * b % 0.2), size * 0.5
        r = (xs - cx) ** 2 + (ys - cy) ** 2
        od.append((r <= (0.08 * size) ** 2).float())
        oc.append((r <= (0.04 * size) ** 2).float())
        fov.append(gaussian_heatmap(size, size * 0.35, size * 0.5, cov=50.0 * (size / 256.0) ** 2))
    targets = {
        "glaucoma": torch.tensor([float(b % 2) for b in range(batch)]),
        "od": torch.stack(od).unsqueeze(1),
        "oc": torch.stack(oc).unsqueeze(1),
        "fovea": torch.stack(fov),
    }
    return x, targets


def bench_inference(model: PaperUNet, size: int, fmt: torch.memory_format, warmup: int, repeats: int, gen):
    model.eval()
    model.to(memory_format=fmt)
    res = {}
    for b in (1, 8):
        x = torch.rand(b, 3, size, size, generator=gen).contiguous(memory_format=fmt)

        def run() -> None:
            with torch.inference_mode():
                model(x)

        res[b] = timed_median(run, warmup, repeats) / b
    model.to(memory_format=torch.contiguous_format)
    return res


def bench_training(model: PaperUNet, size: int, batch: int, fmt, warmup: int, repeats: int, gen, lr: float):
    """(MTL-IO ms/image, summed-MTL ms/image); fresh Adams each call, so every format starts alike."""
    model.train()
    model.to(memory_format=fmt)
    x, t = synthetic_batch(batch, size, gen)
    x = x.contiguous(memory_format=fmt)

    # MTL-IO: one Adam per task, each over ALL parameters (as in the paper's code). With
    # zero_grad(set_to_none=True) parameters a task does not reach keep grad None and
    # that task's Adam skips them.
    opts = {task: torch.optim.Adam(model.parameters(), lr=lr) for task in TASKS}

    def mtlio_step() -> None:
        for task in TASKS:
            opt = opts[task]
            opt.zero_grad(set_to_none=True)
            pred = model.forward_task(x, task)
            loss = task_loss(task, pred, t[task])
            loss.backward()
            opt.step()

    summed_opt = torch.optim.Adam(model.parameters(), lr=lr)

    def mtl_step() -> None:
        summed_opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = sum(task_loss(task, out[task], t[task]) for task in TASKS)
        loss.backward()
        summed_opt.step()

    mtlio = timed_median(mtlio_step, warmup, repeats) / batch
    mtl = timed_median(mtl_step, warmup, repeats) / batch
    model.to(memory_format=torch.contiguous_format)
    return mtlio, mtl


def check_mtlio_isolation() -> None:
    """Each MTL-IO task step must move only the weights that task reaches (tiny model)."""
    torch.manual_seed(1)
    model = PaperUNet(width=0.125)
    model.train()
    groups = model.parameter_groups()
    reach = {
        "glaucoma": {"encoder", "head_glaucoma"},
        "od": {"encoder", "decoder", "head_od"},
        "oc": {"encoder", "decoder", "head_oc"},
        "fovea": {"encoder", "decoder", "head_fovea"},
    }
    opts = {task: torch.optim.Adam(model.parameters(), lr=1e-2) for task in TASKS}
    x, t = synthetic_batch(2, 32, torch.Generator().manual_seed(1))
    for _ in range(2):  # second round: every Adam already has state
        for task in TASKS:
            before = {g: [p.detach().clone() for p in ps] for g, ps in groups.items()}
            opts[task].zero_grad(set_to_none=True)
            task_loss(task, model.forward_task(x, task), t[task]).backward()
            opts[task].step()
            for g, ps in groups.items():
                moved = any(not torch.equal(a, b) for a, b in zip(before[g], ps))
                assert moved == (g in reach[task]), f"{task}: group {g} moved={moved}"
    print("MTL-IO isolation check passed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=256, help="input side in px (multiple of 16)")
    ap.add_argument("--batch", type=int, default=4, help="training batch for the MTL-IO / MTL steps")
    ap.add_argument("--repeats", type=int, default=5, help="timed inference runs (median)")
    ap.add_argument("--train-repeats", type=int, default=3, help="timed training steps (median)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before each measurement")
    ap.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1 = paper, 17.27 M)")
    ap.add_argument("--bn", choices=["batch", "running"], default="batch",
                    help="batch: track_running_stats=False as in the paper; running: moving statistics")
    ap.add_argument("--infer-formats", default="nchw,channels_last",
                    help="comma list of nchw, channels_last for inference")
    ap.add_argument("--train-formats", default="nchw",
                    help="comma list of nchw, channels_last for the training steps (headline: nchw if listed)")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    ap.add_argument("--check", action="store_true", help="only run the MTL-IO isolation self-check")
    args = ap.parse_args()
    if args.size % 16:
        ap.error("--size must be a multiple of 16")
    torch.backends.nnpack.set_flags(False)  # NNPACK is unsupported on these CPUs and only warns
    if args.check:
        check_mtlio_isolation()
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    fmts = {"nchw": torch.contiguous_format, "channels_last": torch.channels_last}
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))

    model = PaperUNet(width=args.width, track_running_stats=(args.bn == "running"))
    params = sum(p.numel() for p in model.parameters())
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, params {params:,}, size {args.size}")

    infer = {}
    for name in [f.strip() for f in args.infer_formats.split(",") if f.strip()]:
        infer[name] = bench_inference(model, args.size, fmts[name], args.warmup, args.repeats, gen)
        log(f"inference {name}: b1 {infer[name][1]:.1f} ms/img, b8 {infer[name][8]:.1f} ms/img")
    faster = min(infer, key=lambda k: infer[k][1] + infer[k][8]) if infer else None

    train = {}
    if not args.skip_train:
        for name in [f.strip() for f in args.train_formats.split(",") if f.strip()]:
            train[name] = bench_training(model, args.size, args.batch, fmts[name],
                                         args.warmup, args.train_repeats, gen, args.lr)
            log(f"training {name}, batch {args.batch}: MTL-IO {train[name][0]:.1f} ms/img, "
                f"summed MTL {train[name][1]:.1f} ms/img")
    train_format = "nchw" if "nchw" in train else next(iter(train), None)
    mtlio, mtl = train[train_format] if train_format else (None, None)

    head = infer.get("nchw") or (infer[faster] if faster else {})
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    result = {
        "framework": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "size": args.size,
        "params": params,
        "width": args.width,
        "bn": args.bn,
        "infer_format": "nchw" if "nchw" in infer else faster,
        "infer_ms_per_image_b1": r(head.get(1)),
        "infer_ms_per_image_b8": r(head.get(8)),
        "infer_by_format": {k: {"b1": r(v[1]), "b8": r(v[8])} for k, v in infer.items()},
        "faster_infer_format": faster,
        "train_batch": args.batch,
        "train_format": train_format,
        "train_by_format": {k: {"mtlio": r(v[0]), "mtl": r(v[1])} for k, v in train.items()},
        "mtlio_step_ms_per_image": r(mtlio),
        "mtl_step_ms_per_image": r(mtl),
        "repeats": args.repeats,
        "train_repeats": args.train_repeats,
        "warmup": args.warmup,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "cpu": cpu_model_name(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
