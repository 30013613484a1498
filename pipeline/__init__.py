"""policytext: read Chinese policy and commentary texts into a queryable dataset.

Public API (everything the CLI does is one of these calls)::

    from pipeline.ingest.driver import ingest
    summary = ingest(["articles/"], db="policytext.duckdb")
"""

__version__ = "0.1.0"


def __getattr__(name):  # lazy, so `import pipeline` stays cheap for worker processes
    if name == "clean_text":
        from pipeline.clean import clean_text

        return clean_text
    if name == "nlp":
        from pipeline.extract.components import build_nlp

        return build_nlp
    if name == "Store":
        from pipeline.store import Store

        return Store
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


__all__ = ["clean_text", "nlp", "Store", "__version__"]
