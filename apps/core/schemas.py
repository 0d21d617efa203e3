from ninja import Schema


class ComponentHealthOut(Schema):
    status: str
    required: bool
    detail: str
    latency_ms: float | None


class HealthOut(Schema):
    status: str
    components: dict[str, ComponentHealthOut]


class ErrorOut(Schema):
    code: str
    message: str
