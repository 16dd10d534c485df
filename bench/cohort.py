"""Realistic synthetic cohorts: clustered topics, skewed popularity, reporting trees.

Deterministic for a given (size, seed).  Mentees are senior (levels 5-9), mentors
junior (levels 1-6), so the level rule, teams, reporting lines and declared
"work together" links forbid roughly 10-15% of pairs.
"""

from __future__ import annotations

import numpy as np

from matching import MenteeProfile, MentorProfile

N_CLUSTERS = 8
TOPICS_PER_CLUSTER = 8
SLOTS = [f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri") for p in ("am", "pm")]
INTERESTS = [f"interest{k}" for k in range(30)]
OFFSETS = [-5.0, 0.0, 0.0, 0.0, 1.0, 1.0, 5.5, 8.0]
LIVED = ["race", "disability", "lgbtq", "social_mobility", "gender", "neurodiversity"]


def topic_relations() -> dict[str, list[str]]:
    """Topics in one cluster are related to each other (partial credit)."""
    rel = {}
    for c in range(N_CLUSTERS):
        names = [f"c{c}t{t}" for t in range(TOPICS_PER_CLUSTER)]
        for name in names:
            rel[name] = [x for x in names if x != name]
    return rel


def _zipf(rng: np.random.Generator, k: int, a: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1) ** a
    return rng.permutation(w / w.sum())


def make_cohort(n: int, *, capacity: int = 1, seed: int = 0
                ) -> tuple[list[MenteeProfile], list[MentorProfile]]:
    rng = np.random.default_rng(seed)
    cluster_pop = _zipf(rng, N_CLUSTERS, 0.8)
    topic_pop = [_zipf(rng, TOPICS_PER_CLUSTER, 1.2) for _ in range(N_CLUSTERS)]
    interest_pop = _zipf(rng, len(INTERESTS), 1.0)
    n_depts = 12
    n_teams = max(n_depts, n // 6)

    def topics(cluster: int, count: int) -> frozenset[str]:
        picks = rng.choice(TOPICS_PER_CLUSTER, size=count, replace=False, p=topic_pop[cluster])
        return frozenset(f"c{cluster}t{t}" for t in picks)

    # Reporting tree over the seniors: each mentee's manager is a more senior mentee
    # (or an outside executive); mentors report to a mentee or an outside manager.
    levels = rng.integers(5, 10, n)
    order = np.argsort(-levels, kind="stable")
    manager: dict[int, str] = {}
    for rank, i in enumerate(order.tolist()):
        if rank < 5:
            manager[i] = f"exec{rank}"
        else:
            boss = int(order[rng.integers(0, rank)])
            manager[i] = f"e{boss}" if levels[boss] > levels[i] else f"exec{rank % 5}"
    parent = {f"e{i}": manager[i] for i in range(n)}

    def chain(start: str) -> tuple[str, ...]:
        out: list[str] = []
        node = parent.get(start)
        while node is not None and len(out) < 12:
            out.append(node)
            node = parent.get(node)
        return tuple(out)

    mentees = []
    for i in range(n):
        c = int(rng.choice(N_CLUSTERS, p=cluster_pop))
        wants = topics(c, 3)
        if rng.random() < 0.4:
            wants |= topics(int(rng.choice(N_CLUSTERS, p=cluster_pop)), 1)
        dept = int(rng.integers(n_depts))
        mentees.append(MenteeProfile(
            id=f"e{i}", name=f"Mentee {i}", level=int(levels[i]), department=f"d{dept}",
            team=f"team{rng.integers(n_teams)}", manager_chain=chain(f"e{i}"),
            wants=wants, offers=topics(int(rng.integers(N_CLUSTERS)), 2),
            interests=frozenset(rng.choice(INTERESTS, 3, replace=False, p=interest_pop)),
            availability=frozenset(rng.choice(SLOTS, int(rng.integers(3, 6)), replace=False)),
            utc_offset=float(rng.choice(OFFSETS)),
            group=str(rng.choice(["a", "b", "c"])), group_consent=bool(rng.random() < 0.7),
        ))
    mentors = []
    for j in range(n):
        c = int(rng.choice(N_CLUSTERS, p=cluster_pop))
        offers = topics(c, 3) | topics(int(rng.integers(N_CLUSTERS)), 1)
        boss = int(rng.integers(n))
        level = int(rng.choice([1, 2, 3, 4, 5, 6, 7], p=[0.15, 0.2, 0.2, 0.15, 0.15, 0.1, 0.05]))
        mentors.append(MentorProfile(
            id=f"r{j}", name=f"Mentor {j}", level=level, department=f"d{rng.integers(n_depts)}",
            team=f"team{rng.integers(n_teams)}", manager_chain=(f"e{boss}", *chain(f"e{boss}")),
            offers=offers, wants=topics(int(rng.integers(N_CLUSTERS)), 2),
            interests=frozenset(rng.choice(INTERESTS, 3, replace=False, p=interest_pop)),
            availability=frozenset(rng.choice(SLOTS, int(rng.integers(3, 6)), replace=False)),
            utc_offset=float(rng.choice(OFFSETS)), capacity=capacity,
            active_pairings=int(rng.random() < 0.05), max_concurrent=2,
            lived_experience=frozenset(rng.choice(LIVED, int(rng.integers(0, 3)), replace=False)),
            lived_experience_consent=bool(rng.random() < 0.6),
            works_with=frozenset(f"e{x}" for x in rng.integers(0, n, 3)),
            group=str(rng.choice(["a", "b", "c", "d"])), group_consent=bool(rng.random() < 0.7),
        ))
    return mentees, mentors
