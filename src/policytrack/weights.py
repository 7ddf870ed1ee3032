"""How much a piece of evidence counts in weighted momentum, by its Admiralty grade (kept tiny: the
command line reads the help text at start-up)."""

# Grade weights for weighted momentum: reliability (A-F) times credibility (1-6); ungraded evidence 0.5.
RELIABILITY_WEIGHT = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.2}
CREDIBILITY_WEIGHT = {"1": 1.0, "2": 0.8, "3": 0.6, "4": 0.4, "5": 0.2, "6": 0.2}
UNGRADED_WEIGHT = 0.5
WEIGHTS_HELP = (
    "Weighted momentum multiplies each effect by reliability (A 1, B .8, C .6, D .4, E-F .2) times "
    "credibility (1 1, 2 .8, 3 .6, 4 .4, 5-6 .2); ungraded evidence counts .5."
)

__all__ = ["CREDIBILITY_WEIGHT", "RELIABILITY_WEIGHT", "UNGRADED_WEIGHT", "WEIGHTS_HELP"]
