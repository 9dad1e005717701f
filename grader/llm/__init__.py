"""Grading with a language model: judges (the protocol, OpenAI-compatible, fake, cache, config), prompts,
grounding of quotes, turning replies into grades (`judging`), rubric proposals, and the judge setup of commands.
"""

from grader._lazy import exports

__all__ = ["LLMSetup", "llm_setup"]

__getattr__, __dir__ = exports(__name__, {"llm_setup": "setup", "LLMSetup": "setup"})
