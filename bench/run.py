"""Benchmark: `make bench` runs `.venv/bin/python -m bench.run` from the repo root.

    python -m bench.run [--sizes 1000,5000,10000,20000] [--caps 1,2] [--quick]
                        [--no-baselines] [--mentor-match-size 1000] [--repeat 3]

Each (size, capacity) runs in a fresh subprocess so that peak memory (ru_maxrss)
belongs to that run alone, ``--repeat`` times (the run with the median end-to-end
time is shown, with all the times: the machine is a shared virtual machine); baselines
run once in another subprocess afterwards.
Stages: features (profiles -> feature matrices), candidates (one blockwise
scoring pass), solve (min-cost flow rounds + certificate), pricing (pool checks
and re-scored rows), explanations, report; `end-to-end` is their sum.  `verify`
(an independent full pass over every pair) is timed separately, and so is
`load`: loading the numba-compiled kernels large cohorts use, once per process
(compiling them the very first time on a machine), done before the timed run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time

import numpy as np


def _cohort(n: int, cap: int):
    from bench.cohort import make_cohort, topic_relations

    mentees, mentors = make_cohort(n, capacity=cap, seed=n + cap)
    kwargs = {"objective": "inclusion", "focus": {"race", "disability"},
              "topic_relations": topic_relations()}
    return mentees, mentors, kwargs


def run_engine(n: int, cap: int) -> dict:
    from matching import match_profiles, warm_up

    mentees, mentors, kwargs = _cohort(n, cap)
    # Load the compiled kernels first (once per process; a worker pays it once).
    # Timed and printed in its own column, not in e2e.
    load = warm_up() if n * n >= 16_000_000 else 0.0
    t = time.perf_counter()
    result = match_profiles(mentees, mentors, **kwargs)
    wall = time.perf_counter() - t
    tm = result.timings
    t = time.perf_counter()
    ok = result.verify()
    verify_s = time.perf_counter() - t
    return {
        "n": n, "cap": cap, "matched": len(result.pairs), "total": result.assignment.total,
        "features": tm["features_s"], "candidates": tm["engine_candidates_s"],
        "solve": tm["engine_solve_s"], "pricing": tm["engine_pricing_s"],
        "explanations": tm["explanations_s"],
        "report": tm["report_s"] + tm.get("engine_ranks_s", 0.0), "end_to_end": wall,
        "rounds": tm["engine_rounds"], "rows_priced": tm["engine_rows_priced"],
        "edges": tm["engine_final_edges"], "verify": verify_s, "certified": ok,
        "load": load,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_baselines(n: int, cap: int, dense_limit: int, mm_size: int) -> dict:
    from bench import baselines
    from matching import ProfileScorer, default_weights, match_profiles

    mentees, mentors, kwargs = _cohort(n, cap)
    scorer = ProfileScorer(mentees, mentors, weights=default_weights("inclusion"),
                           objective="inclusion", focus=frozenset(kwargs["focus"]),
                           topic_relations=kwargs["topic_relations"])
    capacity = scorer.capacity
    out: dict = {}

    def value(pairs):
        if not pairs:
            return 0, 0.0
        pr = np.array(pairs)
        total = 0.0
        for rows in np.array_split(np.unique(pr[:, 0]), max(1, len(pr) // 2000)):
            s, a = scorer.block(rows)
            sel = np.isin(pr[:, 0], rows)
            loc = np.searchsorted(rows, pr[sel, 0])
            assert a[loc, pr[sel, 1]].all(), "baseline used a forbidden pair"
            total += float(s[loc, pr[sel, 1]].astype(np.float64).sum())
        return len(pairs), total

    for name, fn in (("greedy", baselines.greedy), ("gale_shapley", baselines.gale_shapley)):
        t = time.perf_counter()
        pairs = fn(scorer, capacity)
        out[name] = {"seconds": time.perf_counter() - t, **dict(zip(("matched", "total"),
                                                                  value(pairs), strict=True))}
    if n <= dense_limit:
        t = time.perf_counter()
        pairs = baselines.dense_hungarian(scorer, capacity)
        out["scipy_lsa"] = {"seconds": time.perf_counter() - t,
                            **dict(zip(("matched", "total"), value(pairs), strict=True))}
    else:
        out["scipy_lsa"] = {"note": f"skipped above {dense_limit} per side (dense n x n)"}
    # mentor-match (pure-Python Munkres) only copes with small cohorts: compare it
    # with our engine on the first mm_size mentees and mentors of this cohort.
    if mm_size:
        sub_me, sub_mo = mentees[:mm_size], mentors[:mm_size]
        sub = ProfileScorer(sub_me, sub_mo, weights=scorer.weights, objective="inclusion",
                            focus=scorer.focus, topic_relations=kwargs["topic_relations"])
        res = baselines.mentor_match(sub, sub.capacity)
        ours = match_profiles(sub_me, sub_mo, **kwargs, explain=False, report=False)
        entry: dict[str, object] = {"size": mm_size, "engine_matched": len(ours.pairs),
                 "engine_total": ours.assignment.total}
        if isinstance(res, str):
            entry["note"] = res
        else:
            pairs, secs = res
            m_, t_ = value_sub(sub, pairs)
            entry.update({"matched": m_, "total": t_, "seconds": secs})
        out["mentor_match"] = entry
    return out


def value_sub(scorer, pairs):
    if not pairs:
        return 0, 0.0
    pr = np.array(pairs)
    s, a = scorer.block(np.arange(scorer.shape[0]))
    assert a[pr[:, 0], pr[:, 1]].all()
    return len(pairs), float(s[pr[:, 0], pr[:, 1]].astype(np.float64).sum())


def _median_run(runs: list[dict]) -> dict:
    """The run with the median end-to-end time, with every run's time, whether they
    all found the same answer (they must: the engine is deterministic) and the
    largest peak memory."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    ok.sort(key=lambda r: r["end_to_end"])
    med = dict(ok[(len(ok) - 1) // 2])
    med["e2e_runs"] = [r["end_to_end"] for r in ok]
    med["consistent"] = len(ok) == len(runs) and all(
        (r["matched"], r["total"], r["certified"]) == (med["matched"], med["total"], True)
        for r in ok)
    med["peak_mb"] = max(r["peak_mb"] for r in ok)
    return med


def _child(args: list[str]) -> dict:
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-m", "bench.run", *args],  # noqa: S603
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    lines = [f"python {platform.python_version()}, nproc {os.cpu_count()}"]
    try:
        exe = shutil.which("lscpu")
        if exe:
            lscpu = subprocess.run([exe], capture_output=True, text=True, check=False).stdout  # noqa: S603
            lines += lscpu.splitlines()[:10]
    except OSError:
        pass
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run")
    p.add_argument("--sizes", default="1000,5000,10000,20000")
    p.add_argument("--caps", default="1,2")
    p.add_argument("--quick", action="store_true", help="sizes 1000,2000; no dense/mentor-match")
    p.add_argument("--no-baselines", action="store_true")
    p.add_argument("--dense-limit", type=int, default=5000)
    p.add_argument("--mentor-match-size", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3,
                   help="engine runs per size (fresh processes); the median run is shown")
    p.add_argument("--json", help="also write all results to this file")
    p.add_argument("--child-engine", nargs=2, type=int, help=argparse.SUPPRESS)
    p.add_argument("--child-baselines", nargs=2, type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child_engine:
        print(json.dumps(run_engine(*a.child_engine)))
        return 0
    if a.child_baselines:
        n, cap = a.child_baselines
        print(json.dumps(run_baselines(n, cap, a.dense_limit, a.mentor_match_size)))
        return 0
    sizes = [int(x) for x in a.sizes.split(",") if x]
    if a.quick:
        sizes = [1000, 2000]
    caps = [int(x) for x in a.caps.split(",") if x]
    print(machine())
    print()
    hdr = (f"{'n':>6} {'cap':>3} {'feat':>6} {'cand':>6} {'solve':>6} {'price':>6} "
           f"{'expl':>6} {'report':>6} {'e2e':>6} {'load':>5} {'verify':>6} {'peakMB':>7} "
           f"{'rounds':>6} {'matched':>7} {'total':>11} cert")
    print(hdr)
    results = []
    for n in sizes:
        for cap in caps:
            r = _median_run([_child(["--child-engine", str(n), str(cap)])
                             for _ in range(max(1, a.repeat))])
            results.append(r)
            if "error" in r:
                print(f"{n:>6} {cap:>3} engine failed: {r['error']}")
                continue
            print(f"{n:>6} {cap:>3} {r['features']:6.2f} {r['candidates']:6.2f} "
                  f"{r['solve']:6.2f} {r['pricing']:6.2f} {r['explanations']:6.2f} "
                  f"{r['report']:6.2f} {r['end_to_end']:6.2f} {r.get('load', 0):5.2f} "
                  f"{r['verify']:6.2f} "
                  f"{r['peak_mb']:7.0f} {r['rounds']:6.0f} {r['matched']:7d} "
                  f"{r['total']:11.2f} {'yes' if r['certified'] else 'NO'}", flush=True)
            if len(r["e2e_runs"]) > 1:
                runs = ", ".join(f"{x:.2f}" for x in r["e2e_runs"])
                same = "" if r["consistent"] else "  RESULTS DIFFER BETWEEN RUNS"
                print(f"{'':>10} e2e of {len(r['e2e_runs'])} runs (median shown): {runs}{same}",
                      flush=True)
            if a.no_baselines:
                continue
            extra = ["--dense-limit", str(0 if a.quick else a.dense_limit),
                     "--mentor-match-size", str(0 if a.quick else a.mentor_match_size)]
            b = _child(["--child-baselines", str(n), str(cap), *extra])
            r["baselines"] = b
            if "error" in b:
                print(f"{'':>10} baselines failed: {b['error']}")
                continue
            for name in ("greedy", "gale_shapley", "scipy_lsa"):
                x = b.get(name, {})
                if "note" in x or not x:
                    print(f"{'':>10} {name:<13} {x.get('note', 'n/a')}")
                    continue
                ratio = r["total"] / x["total"] if x["total"] else float("inf")
                print(f"{'':>10} {name:<13} {x['seconds']:7.2f}s matched {x['matched']:>6} "
                      f"total {x['total']:11.2f}  engine/baseline total {ratio:.4f} "
                      f"time {r['end_to_end'] / x['seconds']:.2f}x", flush=True)
            mm = b.get("mentor_match")
            if mm:
                if "note" in mm:
                    print(f"{'':>10} mentor-match  {mm['note']}")
                else:
                    ratio = mm["engine_total"] / mm["total"] if mm["total"] else float("inf")
                    print(f"{'':>10} mentor-match  {mm['seconds']:7.2f}s on first {mm['size']} "
                          f"per side: matched {mm['matched']} total {mm['total']:.2f} vs engine "
                          f"matched {mm['engine_matched']} total {mm['engine_total']:.2f} "
                          f"(ratio {ratio:.4f})", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": machine(), "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
