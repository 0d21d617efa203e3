from ninja import Schema


class WebhookAckOut(Schema):
    ok: bool
