#!/usr/bin/python3
"""The phase model in numpy/scipy: the peer oscsim's engine is measured against.

This is the program a researcher would write for the Kuramoto + SHIL phase
model (OscNet v1.5 eq. 12) of a sparse chip, batched over B inputs:

    dφ_i/dt = Δω_i + Σ_j K_ij sin(φ_j − φ_i) − K_s·sin 2φ_i + noise

with the coupling sum factorised as cos φ_i·(K·sin φ)_i − sin φ_i·(K·cos φ)_i,
K a scipy.sparse CSR matrix times a dense N×B block (the batch inner, like
oscsim's i·B+b layout), numpy sin/cos, Euler–Maruyama steps with Gaussian
phase noise, all buffers preallocated and updated in place. It reads the
problem go run ./bench/peers writes (the same chip: couplings, detuning, pump,
step, noise, initial phases) and prints one JSON line per measurement.

Usage:
    phase_numpy.py DIR --check          noise-free run, compared with DIR/go_final.f64
    phase_numpy.py DIR --batch 1,16,64 --dtype float64,float32 --steps 400 [--no-noise]
"""
import argparse
import json
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one thread, as measured

import numpy as np
import scipy
import scipy.sparse as sp


def load(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    n = meta["n"]
    rowptr = np.fromfile(os.path.join(d, "rowptr.i32"), dtype="<i4")
    col = np.fromfile(os.path.join(d, "col.i32"), dtype="<i4")
    k = np.fromfile(os.path.join(d, "k.f64"), dtype="<f8")
    dw = np.fromfile(os.path.join(d, "dw.f64"), dtype="<f8")
    kp = np.fromfile(os.path.join(d, "kp.f64"), dtype="<f8")
    phi0 = np.fromfile(os.path.join(d, "phi0.f64"), dtype="<f8").reshape(n, -1)
    K = sp.csr_matrix((k, col, rowptr), shape=(n, n))
    return meta, K, dw, kp, phi0


class Phase:
    """Euler–Maruyama steps of the phase model for a batch (N×B state)."""

    def __init__(self, meta, K, dw, kp, phi0, dtype, seed=1):
        self.K = K.astype(dtype)
        n, b = phi0.shape
        self.dt = dtype(meta["dt"])
        self.sigma = dtype(meta["sigma"])
        self.dw = dw.astype(dtype)[:, None]
        self.kp = kp.astype(dtype)[:, None]
        self.phi = phi0.astype(dtype).copy()
        self.s = np.empty((n, b), dtype)
        self.c = np.empty((n, b), dtype)
        self.f = np.empty((n, b), dtype)
        self.t = np.empty((n, b), dtype)
        self.z = np.empty((n, b), dtype)
        self.rng = np.random.default_rng(seed)

    def step(self, noise=True):
        phi, s, c, f, t = self.phi, self.s, self.c, self.f, self.t
        np.sin(phi, out=s)
        np.cos(phi, out=c)
        S = self.K @ s  # scipy allocates the product
        C = self.K @ c
        np.multiply(c, S, out=f)  # cos φ_i·(K sin φ)_i
        np.multiply(s, C, out=t)
        f -= t  # − sin φ_i·(K cos φ)_i
        np.multiply(s, c, out=t)
        t *= self.kp  # − K_s·sin 2φ = −2K_s·sin φ·cos φ
        f -= t
        f += self.dw
        f *= self.dt
        phi += f
        if noise:
            self.rng.standard_normal(out=self.z, dtype=self.z.dtype)
            self.z *= self.sigma
            phi += self.z


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--batch", default="1,16,64")
    ap.add_argument("--dtype", default="float64,float32")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-noise", action="store_true", help="leave the phase noise out")
    a = ap.parse_args()
    meta, K, dw, kp, phi0 = load(a.dir)
    nnz = K.nnz
    if a.check:
        m = Phase(meta, K, dw, kp, phi0, np.float64)
        for _ in range(meta["check_steps"]):
            m.step(noise=False)
        want = np.fromfile(os.path.join(a.dir, "go_final.f64"), dtype="<f8").reshape(m.phi.shape)
        print(json.dumps({"check": True, "max_abs_diff": float(np.max(np.abs(m.phi - want)))}))
        return
    for dname in a.dtype.split(","):
        dtype = {"float64": np.float64, "float32": np.float32}[dname]
        for b in (int(x) for x in a.batch.split(",")):
            reps = -(-b // phi0.shape[1])
            p0 = np.tile(phi0, (1, reps))[:, :b]
            best, best_cpu = 0.0, 0.0
            for _ in range(a.repeat):
                m = Phase(meta, K, dw, kp, p0, dtype)
                noise = not a.no_noise
                m.step(noise)  # warm up
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(a.steps):
                    m.step(noise)
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                best = max(best, nnz * b * a.steps / dt)
                best_cpu = max(best_cpu, nnz * b * a.steps / dc)
            print(json.dumps({"batch": b, "dtype": dname, "steps": a.steps, "updates_per_s": best,
                              "updates_per_cpu_s": best_cpu, "numpy": np.__version__, "scipy": scipy.__version__}))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
