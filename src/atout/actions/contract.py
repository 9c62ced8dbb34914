"""The actions app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.actions.charts",
        "atout.actions.kpis",
        "atout.actions.models",
        "atout.actions.services",
    ),
    provides={
        "home.plan_attention": "atout.actions.services.needing_attention",
        # closing a barometer wave (consultation) brings the KPIs fed by its survey up to date
        "kpis.refresh": "atout.actions.kpis.refresh_kpis",
        "plan.objective_progress": "atout.actions.services.objective_progress",
    },
    # after opinion: the example plan cites the demo conversation
    demo=(
        DemoStep("atout.actions.demo.prepare", after=("opinion",)),
        # the image barometer's two simulated waves, after the plan (and what reshapes it): its KPIs
        # follow the example action A2
        DemoStep("atout.actions.barometer_demo.prepare", after=("actions", "strategy", "sectors"), name="barometer"),
    ),
)
