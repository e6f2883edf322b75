"""Drives `reelwatch mcp` over stdio with the Python MCP SDK (PyPI `mcp`, the version pinned in .ci/run).

Usage: cross_client.py REELWATCH_BINARY DOWNLOAD_DIR REF [REF...]

The environment (API keys, REELWATCH_*_URL pointing at a simulator, REELWATCH_HOME) is passed on to the server.
Initializes, lists the tools, calls status, wait (with a progress token) and download for the refs, and prints
one JSON object on stdout with what it saw; exits non-zero on any protocol failure.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client


async def main() -> None:
    binary, directory, *refs = sys.argv[1:]
    server = StdioServerParameters(
        command=binary,
        # Fast polling for a simulator whose clock runs compressed.
        args=["mcp", "--min-delay", "100ms", "--max-delay", "500ms", "--rate-limit", "1000"],
        env=dict(os.environ),
    )
    progress: list[dict] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append({"progress": value, "total": total, "message": message})

    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            status = await session.call_tool("status", {"refs": refs})
            wait = await session.call_tool(
                "wait", {"refs": refs, "timeout_seconds": 600}, progress_callback=on_progress
            )
            download = await session.call_tool("download", {"refs": refs, "dir": directory})
            missing = await session.call_tool("status", {"refs": ["heygen:no-such-job"]})

    def summary(result) -> dict:
        return {
            "is_error": bool(result.is_error),
            "structured": result.structured_content,
            "text": [c.text for c in result.content if getattr(c, "type", None) == "text"],
        }

    print(
        json.dumps(
            {
                "server": init.server_info.name,
                "protocol": init.protocol_version,
                "tools": [tool.name for tool in tools.tools],
                "status": summary(status),
                "wait": summary(wait),
                "download": summary(download),
                "missing": summary(missing),
                "progress": progress,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
