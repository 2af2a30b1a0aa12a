"""Satisfaction drivers (metrics.md §7): ordinal regression of csat on journey metrics, importance-performance,
tipping points, scores for every contact. Plain functions of DataFrames (no Dagster, no warehouse), except
`store`, which reads and writes the warehouse for the Dagster assets.

    ordinal      fit_ordinal_model: statsmodels OrderedModel, logit, BFGS, no constant; refusals
    importance   standardized effects, importance shares, relative weights, quadrants
    thresholds   hinge tipping-point search and its sup-score kink test (multiplier bootstrap)
    analysis     the whole analysis of marts.fct_contact_drivers -> the analysis tables
    schedule     when a run refits, and when it only scores with the stored model (store: runs.satisfaction_model)
    simulate     a simulated modelling table with known effects (tests, examples)
"""
from dagster_project.lib.drivers.importance import importance_shares, quadrants, relative_weights, standardized_effects
from dagster_project.lib.drivers.ordinal import (
    OrdinalConvergenceError,
    OrdinalFit,
    OrdinalModelError,
    OrdinalSeparationError,
    fit_ordinal_model,
)
from dagster_project.lib.drivers.thresholds import TippingPoint, find_tipping_point, hinge

__all__ = [
    "OrdinalConvergenceError", "OrdinalFit", "OrdinalModelError", "OrdinalSeparationError", "TippingPoint",
    "find_tipping_point", "fit_ordinal_model", "hinge", "importance_shares", "quadrants", "relative_weights",
    "standardized_effects",
]
