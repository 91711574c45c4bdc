"""Contains all the data models used in inputs/outputs"""

from .access_level import AccessLevel
from .cancel_session_response import CancelSessionResponse
from .edit_session_request import EditSessionRequest
from .edit_session_response import EditSessionResponse
from .error import Error
from .error_detail import ErrorDetail
from .invite_object import InviteObject
from .list_sessions_response import ListSessionsResponse
from .pagy import Pagy
from .provider_specific_details import ProviderSpecificDetails
from .remote_session_edit import RemoteSessionEdit
from .session import Session
from .time_zone_name import TimeZoneName

__all__ = (
    "AccessLevel",
    "CancelSessionResponse",
    "EditSessionRequest",
    "EditSessionResponse",
    "Error",
    "ErrorDetail",
    "InviteObject",
    "ListSessionsResponse",
    "Pagy",
    "ProviderSpecificDetails",
    "RemoteSessionEdit",
    "Session",
    "TimeZoneName",
)
