"""``atout composite``: composite indices, COINr-compatible.

- ``atout composite run --idata F --imeta F --preset coinr-example --json``: COINr's example pipeline;
- ``atout composite run --config FILE.yaml --json``: a configured pipeline (docs/methods/composite.md);
  ``--uncertainty N`` (Monte Carlo rank intervals), ``--sensitivity N`` (Sobol indices, N base runs),
  ``--removal LEVEL`` (rank change when each component of a level is removed), ``--seed N``;
- ``atout composite stats --idata F --imeta F --json``: statistics of the raw indicators.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.engine.composite import (
    Pipeline,
    PipelineResult,
    Step,
    coinr_example_pipeline,
    indicator_statistics,
    removal_impact,
)
from atout.engine.formats.coinr import read_coinr, read_pipeline_config
from atout.engine.formats.errors import FormatError
from atout.engine.uncertainty import CompositeUncertainty, UncertaintySpec, coinr_example_uncertainty

PRESETS = ("coinr-example",)
# Without an ``uncertainty`` section, a configured pipeline varies its weights by ±25 % at every level.
DEFAULT_UNCERTAINTY = {"weights_noise": 0.25}


def _run_arguments(parser) -> None:
    parser.add_argument("--idata", help="COINr iData CSV (units × indicators)")
    parser.add_argument("--imeta", help="COINr iMeta CSV (index structure)")
    parser.add_argument("--preset", choices=PRESETS, help="a ready-made pipeline (with --idata and --imeta)")
    parser.add_argument("--config", help="pipeline configuration (YAML): data files, steps, uncertainty")
    parser.add_argument("--uncertainty", type=int, default=0, metavar="N",
                        help="add Monte Carlo rank intervals from N runs")
    parser.add_argument("--sensitivity", type=int, default=0, metavar="N",
                        help="add first-order and total Sobol indices from N base runs (N × (k + 2) runs)")
    parser.add_argument("--removal", type=int, metavar="LEVEL",
                        help="add the mean absolute rank change of the index when each component of LEVEL "
                             "(1 = indicators) is removed")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the uncertainty analyses")
    json_flag(parser)


def _stats_arguments(parser) -> None:
    parser.add_argument("--idata", required=True, help="COINr iData CSV (units × indicators)")
    parser.add_argument("--imeta", required=True, help="COINr iMeta CSV (index structure)")
    json_flag(parser)


def _number(value: float) -> float | None:
    return None if value != value else float(value)


def _rank(value: float) -> int | None:
    return None if value != value else int(value)


class Command(GroupCommand):
    help = "Composite indices (COINr-compatible): build, uncertainty, sensitivity, indicator statistics."
    actions = {
        "run": ("run a composite-index pipeline and print every unit's scores and ranks", _run_arguments),
        "stats": ("statistics of the raw indicators: availability, min, max, mean, median, skew, kurtosis",
                  _stats_arguments),
    }

    # -- run ---------------------------------------------------------------------------------------

    def do_run(self, idata=None, imeta=None, preset=None, config=None, uncertainty=0, sensitivity=0,
               removal=None, seed=0, **_) -> dict[str, Any]:
        if uncertainty < 0 or sensitivity < 0:
            raise CommandError("--uncertainty and --sensitivity take a number of runs ≥ 0")
        pipeline, spec = self._pipeline(idata, imeta, preset, config)
        try:
            result = pipeline.run()
        except ValueError as exc:
            raise CommandError(f"the pipeline failed: {exc}") from None
        output: dict[str, Any] = {
            "units": self._units(result),
            "steps": [{"step": entry["step"], "params": entry["params"]} for entry in result.log],
        }
        if removal is not None:
            try:
                output["removal"] = removal_impact(result, removal)
            except ValueError as exc:
                raise CommandError(f"--removal: {exc}") from None
        if uncertainty or sensitivity:
            output.update(self._uncertainty(pipeline, spec, uncertainty, sensitivity, seed))
        return output

    def _pipeline(self, idata, imeta, preset, config) -> tuple[Pipeline, UncertaintySpec]:
        if config and (preset or idata or imeta):
            raise CommandError("give either --config FILE, or --idata, --imeta and --preset, not both")
        if not config and not (idata and imeta and preset):
            raise CommandError("give --config FILE, or --idata FILE --imeta FILE --preset coinr-example")
        try:
            if config:
                parsed = read_pipeline_config(config)
                data = read_coinr(parsed.idata, parsed.imeta)
                pipeline = Pipeline(data, [Step(name, params) for name, params in parsed.steps])
                spec = UncertaintySpec.from_dict(parsed.uncertainty or DEFAULT_UNCERTAINTY)
            else:
                data = read_coinr(idata, imeta)
                pipeline = coinr_example_pipeline(data)
                spec = coinr_example_uncertainty()
        except FormatError as exc:
            raise CommandError(str(exc)) from None
        except (ValueError, TypeError) as exc:
            raise CommandError(f"{config or preset}: {exc}") from None
        return pipeline, spec

    @staticmethod
    def _units(result: PipelineResult) -> list[dict[str, Any]]:
        scores, ranks = result.scores, result.ranks
        units = []
        for code in scores.index:
            units.append({
                "code": code,
                "scores": {level: _number(scores.at[code, level]) for level in reversed(scores.columns)},
                "ranks": {level: _rank(ranks.at[code, level]) for level in reversed(ranks.columns)},
            })
        units.sort(key=lambda u: (u["ranks"][result.tree.top] is None, u["ranks"][result.tree.top] or 0))
        return units

    def _uncertainty(self, pipeline, spec, runs, base, seed) -> dict[str, Any]:
        try:
            analysis = CompositeUncertainty(pipeline, spec, random_state=seed)
            output: dict[str, Any] = {}
            if runs:
                with progress_bar(runs, "Monte Carlo") as progress:
                    table = analysis.monte_carlo(runs, progress=progress)
                output["uncertainty"] = {
                    code: {"nominal": _rank(row["nominal"]), "median": _number(row["median"]),
                           "q05": _number(row["q05"]), "q95": _number(row["q95"])}
                    for code, row in table.iterrows()}
            if base:
                total = base * (len(analysis.varying) + 2)
                with progress_bar(total, "Sensitivity") as progress:
                    output["sensitivity"] = analysis.sensitivity(base, progress=progress)
        except ValueError as exc:
            raise CommandError(f"uncertainty analysis: {exc}") from None
        return output

    def render_run(self, result: dict[str, Any]) -> str:
        units = result["units"]
        top = next(iter(units[0]["scores"])) if units else "Index"
        lines = [f"{'rank':>5}  {'unit':<12} {top:>10}"]
        for unit in units:
            score = unit["scores"][top]
            lines.append(f"{unit['ranks'][top] or '-':>5}  {unit['code']:<12} "
                         f"{'-' if score is None else f'{score:.2f}':>10}")
        for key, title in (("uncertainty", "rank intervals"), ("sensitivity", "sensitivity"),
                           ("removal", "removal impact")):
            if key in result:
                lines.append(f"\n{title}:")
                for code, value in result[key].items():
                    lines.append(f"  {code}: {value}")
        return "\n".join(lines)

    # -- stats -------------------------------------------------------------------------------------

    def do_stats(self, idata, imeta, **_) -> dict[str, Any]:
        try:
            data = read_coinr(idata, imeta)
        except FormatError as exc:
            raise CommandError(str(exc)) from None
        table = indicator_statistics(data.values)
        return {"indicators": {code: {key: _number(value) for key, value in row.items()}
                               for code, row in table.iterrows()}}

    def render_stats(self, result: dict[str, Any]) -> str:
        columns = ("availability", "min", "max", "mean", "median", "skew", "kurtosis")
        lines = [f"{'indicator':<12}" + "".join(f"{c:>14}" for c in columns)]
        for code, stats in result["indicators"].items():
            lines.append(f"{code:<12}" + "".join(
                f"{'-' if stats[c] is None else format(stats[c], '.4g'):>14}" for c in columns))
        return "\n".join(lines)
