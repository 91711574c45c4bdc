from enum import StrEnum


class AccessLevel(StrEnum):
    HOST = "host"
    PARTICIPANT = "participant"

    def __str__(self) -> str:
        return str(self.value)
