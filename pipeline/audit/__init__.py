"""The claim audit: findings about one document's claims, citations and notes.

``checks``: each check is a small named function over an ``AuditContext`` yielding ``Finding``s,
listed in ``CHECKS`` by the kind it reports; ``audit_document`` runs them. ``html``: the
findings as a page. Findings that need the whole store (a cited work that is itself stored)
are in ``pipeline.query.sources``.
"""

from pipeline.audit.checks import CHECKS, FINDING_KINDS, AuditContext, AuditError, KnownDocument, audit_document, summarize_findings

__all__ = ["CHECKS", "FINDING_KINDS", "AuditContext", "AuditError", "KnownDocument", "audit_document", "summarize_findings"]
