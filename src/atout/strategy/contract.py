"""The strategy app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.strategy.models",
        "atout.strategy.perception",
        "atout.strategy.services",
    ),
    provides={
        "compass.priority_weights": "atout.strategy.services.composite_weights",
        # coded passages of documents and transcripts (fieldwork) as evidence backing SWOT items
        "evidence.from_excerpt": "atout.strategy.excerpts.excerpt_evidence",
        "evidence.of_excerpts": "atout.strategy.excerpts.evidence_of_excerpts",
        "evidence.swot_items_to_back": "atout.strategy.excerpts.swot_items_to_back",
        "evidence.delete_simulated_documents": "atout.strategy.excerpts.delete_simulated_document_evidence",
    },
    # SWOT from the survey and the themes, on the example strategy (actions), with the community's accounts
    demo=DemoStep("atout.strategy.demo.prepare", after=("consultation", "actions", "community", "fieldwork")),
)
