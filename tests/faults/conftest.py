import pytest

from tests.faults.services import RedisServer
from tests.stubs.openai_server import StubOpenAIServer
from tests.stubs.telegram_server import FakeTelegram

REPLY = "Я рядом и слушаю."


@pytest.fixture
async def telegram():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def model_server():
    """An OpenAI-compatible model whose delay and status a test scripts."""
    with StubOpenAIServer() as server:
        server.reply = REPLY
        yield server


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own, which it may kill: the machine's shared one is never touched."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()
