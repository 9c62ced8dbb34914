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
        "atout.diagnostic.summary",
        "atout.diagnostic.templatetags.diagnostic",
    ),
    # the process's homes (atout.processes.homes) ask for these by name
    provides={
        "home.key_figures": "atout.diagnostic.analysis.process_key_figures",
    },
    demo=DemoStep("atout.diagnostic.demo.prepare_process"),
)
