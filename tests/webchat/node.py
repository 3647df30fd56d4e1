"""One web chat node for the replica tests: the real socket.io channel in a Sanic app, without a model.

Customer messages are echoed back through the message's output channel, as Rasa would answer them.
POST /push/<sender_id> sends a message the way Rasa's HTTP API does for `output_channel=latest` (through
the channel's get_output_channel), with an agent's name as the console's messages carry it.

    python -m tests.webchat.node <port>
"""

from __future__ import annotations

import sys

from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.socketio import GuardedSocketIOInput
from common.settings import channel_settings


def build(port: int) -> Sanic:
    app = Sanic(f"webchat_node_{port}")
    channel = GuardedSocketIOInput(channel_settings())

    async def echo(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")

    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/socketio")

    @app.post("/push/<sender_id>")
    async def push(request: Request, sender_id: str) -> HTTPResponse:
        await channel.get_output_channel().send_text_message(sender_id, request.json["text"], agent="Alice")
        return response.json({"pushed": True})

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    build(port).run(host="127.0.0.1", port=port, access_log=False)
