"""The fieldwork app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.fieldwork.agreement",
        "atout.fieldwork.coding",
        "atout.fieldwork.documents",
        "atout.fieldwork.models",
        "atout.fieldwork.themeruns",
    ),
    demo=(
        DemoStep("atout.fieldwork.demo.prepare"),
        # after strategy: coded document passages back the SWOT items
        DemoStep("atout.fieldwork.demo.prepare_documents", after=("strategy",), name="documents"),
    ),
)
