"""LLM settings from flags, environment and a config file (in that order of precedence).

The config file is TOML, at `$GRADER_CONFIG`, else `$XDG_CONFIG_HOME/grader/config.toml`, else
`~/.config/grader/config.toml`:

    [llm]
    model = "gpt-4o-mini"
    base_url = "http://localhost:8000/v1"   # any OpenAI-compatible server
    timeout = 60                            # seconds per request, all of it [default 60; 300 for a local server]
    max_tokens = 1500                       # reply token limit [default: from the number of key points]
    max_retries = 4                         # on 429, 5xx, timeouts
    concurrency = 8                         # requests in flight at once
    response_format = "auto"                # auto | json_schema | json_object_schema | json_object
    seed = 7

    [llm.prices."gpt-4o-mini"]              # USD per million tokens, for cost reports
    input = 0.15
    output = 0.60

The API key comes from `OPENAI_API_KEY` (or `api_key` in the file). It is held as a secret: it never enters the
cache, logs, reports or error messages.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError

from grader.errors import InvalidFile
from grader.models import Model
from grader.paths import config_file

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
REMOTE_TIMEOUT, LOCAL_TIMEOUT = 60.0, 300.0  # a local model on a CPU can take minutes per reply


class Price(Model):
    input: float = Field(ge=0)  # USD per million prompt tokens
    output: float = Field(ge=0)  # USD per million completion tokens


class LLMSettings(Model):
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: float | None = Field(default=None, gt=0)  # None: REMOTE_TIMEOUT, or LOCAL_TIMEOUT for a local server
    max_tokens: int | None = Field(default=None, ge=16)  # None: sized from the number of key points asked
    max_retries: int = Field(default=4, ge=0)
    backoff: float = Field(default=0.5, ge=0)  # first retry delay, doubled each time
    max_backoff: float = Field(default=20.0, ge=0)
    concurrency: int = Field(default=8, ge=1)
    response_format: Literal["auto", "json_schema", "json_object_schema", "json_object"] = "auto"
    seed: int | None = 7
    parse_retries: int = Field(default=1, ge=0)  # extra calls when a reply cannot be parsed
    prices: dict[str, Price] = {}

    @property
    def url(self) -> str:
        return self.base_url or OPENAI_URL

    @property
    def public_url(self) -> str:
        """The base URL without credentials or query: safe to print and to key the cache."""
        return public_url(self.url)

    @property
    def local(self) -> bool:
        """Whether the server runs on this machine or the local network (loopback or private address)."""
        host = urlsplit(self.url).hostname or ""
        if host == "localhost" or host.endswith(".local"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_private
        except ValueError:
            return False

    @property
    def deadline(self) -> float:
        """Seconds a request may take in all (connecting, waiting, reading), the default by server kind."""
        return self.timeout or (LOCAL_TIMEOUT if self.local else REMOTE_TIMEOUT)

    @property
    def identity(self) -> str:
        """The model and server a judge built from these settings stands for: it keys the cache."""
        return f"{self.model}@{self.public_url}"

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """USD for these tokens when the price table has this model, else None."""
        price = self.prices.get(self.model)
        if price is None:
            return None
        return round((prompt_tokens * price.input + completion_tokens * price.output) / 1e6, 6)


def public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def config_path() -> Path:
    return config_file()


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidFile(f"cannot read the config ({exc})", where=str(path), fix="Fix the TOML syntax") from None
    section = data.get("llm", {})
    if not isinstance(section, dict):
        raise InvalidFile("[llm] must be a table", where=str(path), fix="Write it as an [llm] section")
    return section


def _from_env() -> dict[str, Any]:
    env = {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL", "model": "GRADER_MODEL"}
    return {k: os.environ[v] for k, v in env.items() if os.environ.get(v)}


def load_settings(path: Path | None = None, **overrides: Any) -> LLMSettings:
    """Settings: defaults, then the config file, then the environment, then `overrides` that are not None."""
    where = path or config_path()
    merged = {**_from_file(where), **_from_env(), **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return LLMSettings(**merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InvalidFile(f"LLM setting '{field}': {err['msg']}", where=str(where),
                          fix="Fix the value in the config file, the environment or the flag") from None
