"""The consultation app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.consultation.barometer",
        "atout.consultation.demo",
        "atout.consultation.models",
        "atout.consultation.quotas",
        "atout.consultation.results",
        "atout.consultation.services",
        "atout.consultation.structure",
    ),
    # the process's homes (atout.processes.homes) ask for these by name
    provides={
        "home.survey_collection": "atout.consultation.quotas.collection_progress",
        "home.open_surveys": "atout.consultation.services.open_surveys",
    },
    demo=DemoStep("atout.consultation.demo.prepare"),
)
