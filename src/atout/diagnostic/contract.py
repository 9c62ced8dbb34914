"""The diagnostic app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.diagnostic.analysis",
        "atout.diagnostic.catalogue_store",
        "atout.diagnostic.compass",
        "atout.diagnostic.maps",
        "atout.diagnostic.models",
        "atout.diagnostic.portrait",
        "atout.diagnostic.templatetags.diagnostic",
    ),
    demo=DemoStep("atout.diagnostic.demo.prepare_process"),
)
