"""policytext: the public Python API (the functions of :mod:`pipeline.api`, one per command).

    import policytext as pt
    pt.ingest(["corpora/sample"], db="sample.duckdb")
    pt.trend(["脱钩"], db="sample.duckdb")
"""

from pipeline import __version__
from pipeline.api import (annotate, audit, collocations, docs, emerging, export, ingest, keyness, kwic, query, retag,
                          sentences, tag, top_terms, train, trend)

__all__ = ["annotate", "audit", "collocations", "docs", "emerging", "export", "ingest", "keyness", "kwic", "query",
           "retag", "sentences", "tag", "top_terms", "train", "trend", "__version__"]
