"""Chapter 7 (data challenges): the weighted log-loss metric, a blind-set kit and a leaderboard.

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
