"""A client library for accessing Prevail API — Sessions"""

from .client import AuthenticatedClient, Client, RetryPolicy

__all__ = (
    "AuthenticatedClient",
    "Client",
    "RetryPolicy",
)
