"""The city's expert review, as pure Python (no site, no database): conflicts of interest found from
affiliations (`conflicts`), balanced assignment of experts to cases (`assignment`) and scores made comparable
across harsh and lenient experts (`scores`). The DocTypes (Case Review, the expert record, the round's
settings) feed these functions plain dicts and store what they return.
"""

from case_selection.checks.words import _  # re-exported: the review core's messages

__all__ = ["_"]
