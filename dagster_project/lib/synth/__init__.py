"""Synthetic contact center: every landing source, coherent across sources, with planted effects.

    from dagster_project.lib.synth import generate
    truth = generate(Path("data/landing"), days=90, contacts_per_day=2000, seed=42, dirty=False)

Modules by area: people (HR, training), wfm (schedules, ACD states, forecasts), contacts (customers, calls,
digital contacts, repeats, the voice queue), tickets, surveys, qa (evaluations, disputes, improvement
actions), transcripts, dirty (bad rows and files with exact expectations), io (landing files), generator.
"""
from dagster_project.lib.synth.generator import generate

__all__ = ["generate"]
