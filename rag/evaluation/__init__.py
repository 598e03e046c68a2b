"""The evaluation stage: gold sets in, metrics and reports out.

`gold` loads and checks gold Q&A items; `runner` asks them through `RAG` and scores retrieval
and answers; `report` writes the JSON, Markdown and PNG report.
"""

from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.report import write_report
from rag.evaluation.runner import ConfigRun, evaluate

__all__ = ["ConfigRun", "GoldItem", "evaluate", "load_gold", "write_report"]
