"""Runs the `mentor-match` PyPI package on a score matrix (JSON on stdin).

Executed by a separate interpreter that has mentor-match installed (its import
name, ``matching``, clashes with ours, so it never runs inside this repo's venv).
Scores are integers (our scores x 1000, rounded); forbidden pairs are disqualified.
Capacity is served the package's way: one Munkres round per unit of capacity.
People need distinct e-mails: the package compares people by e-mail.
Prints the chosen pairs as JSON.
"""

import json
import sys
import time

from matching.mentee import Mentee
from matching.mentor import Mentor

from matching import process  # type: ignore[attr-defined]  # mentor-match's package


class PairScore:
    def __init__(self, scores, allowed):
        self.scores = scores
        self.allowed = allowed

    def evaluate(self, match):
        return self.allowed[match.mentee.idx][match.mentor.idx]

    def apply(self, match):
        if not self.evaluate(match):
            match.disallowed = True
            return 0
        return self.scores[match.mentee.idx][match.mentor.idx]


def main():
    data = json.load(sys.stdin)
    scores, allowed, capacity = data["scores"], data["allowed"], data["capacity"]
    mentees = []
    for i in range(len(scores)):
        p = Mentee(grade=5, email=f"mentee{i}@example.org")
        p.idx = i
        mentees.append(p)
    mentors = []
    for j in range(len(capacity)):
        p = Mentor(grade=1, email=f"mentor{j}@example.org")
        p.idx = j
        mentors.append(p)
    t = time.perf_counter()
    rounds = max(capacity) if capacity else 0
    rule = PairScore(scores, allowed)
    process.process_data(mentors, mentees, [[rule] for _ in range(rounds)])
    elapsed = time.perf_counter() - t
    pairs: list[tuple[int, int]] = []
    for m in mentors:
        kept = [e.idx for e in m.mentees][: capacity[m.idx]]
        pairs.extend((i, m.idx) for i in kept)
    # The package may give a mentee several mentors over rounds: keep the first.
    seen, unique = set(), []
    for i, j in pairs:
        if i not in seen:
            seen.add(i)
            unique.append([i, j])
    print(json.dumps({"pairs": unique, "seconds": elapsed}))


if __name__ == "__main__":
    main()
