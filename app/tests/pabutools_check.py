"""Counts pabulib files with pabutools, the reference implementation (see app/tests/pabutools.rs).

Reads a JSON list of {"path": ..., "tie_break": "lower_cost" | "earlier_proposal"} on stdin and
prints a JSON list of {"winners": [project ids in the order selected], "votes": {id: count}}.
The counting rule comes from each file's META `rule`, as a recount from the published file would
take it: `greedy` or `equalshares/add1`.
"""

import json
import sys

from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

# Baraza's published tie-breaks: the first project in this order wins a tie.
TIE_BREAKS = {
    "lower_cost": TieBreakingRule(lambda instance, profile, p: (p.cost, int(p.name))),
    "earlier_proposal": TieBreakingRule(lambda instance, profile, p: int(p.name)),
}


def count(path, tie_break):
    instance, profile = parse_pabulib(path)
    rule = instance.meta["rule"]
    tie = TIE_BREAKS[tie_break]
    if rule == "greedy":
        chosen = greedy_utilitarian_welfare(
            instance, profile, sat_class=Cost_Sat, tie_breaking=tie
        )
        # Baraza never funds a project no ballot chose; pabutools' greedy would fund such
        # projects last, after every project someone chose, so dropping them changes nothing else.
        chosen = [p for p in chosen if profile.approval_score(p) > 0]
    elif rule == "equalshares/add1":
        chosen = method_of_equal_shares(
            instance,
            profile,
            sat_class=Cost_Sat,
            voter_budget_increment=1,
            tie_breaking=tie,
        )
    else:
        raise ValueError(f"{path}: unknown rule {rule}")
    return {
        "winners": [int(p.name) for p in chosen],
        "votes": {p.name: profile.approval_score(p) for p in instance},
    }


def main():
    elections = json.load(sys.stdin)
    json.dump([count(e["path"], e["tie_break"]) for e in elections], sys.stdout)


if __name__ == "__main__":
    main()
