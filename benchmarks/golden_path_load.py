"""The golden-path server under load: guarded in strict mode vs unguarded, interleaved.

    python benchmarks/golden_path_load.py            # about two minutes
    python benchmarks/golden_path_load.py --quick    # a rough look in about 40 seconds

Two servers of ``examples/golden_path`` run side by side on 127.0.0.1, with the
agent's artificial pauses off (``step_delay=0``): one after
``ssot_guard.install()`` of the example's ``pyproject.toml`` (strict, its block
and unique rules), one without a guard. A load generator in its own process
keeps many concurrent WebSocket users busy (each sends a message, waits for
its five events, sends the next) against one server at a time, alternating
between them round by round, so drift on a shared machine hits both alike.

Per variant: events per second (median over rounds) and the p99 of the time
from sending a message to receiving its last event (over all messages).
Goals (the seed plan's "no degradation in WebSocket performance"): events/s
>= 0.99x and p99 <= 1.02x of the unguarded server. Nothing asserts on time.

Round-to-round noise on a shared machine (5-10%) is larger than the 1% goal, so
the servers also count, during the measured rounds, the imports that reach
their finders and the modules they load (an ``ImportProbe`` in both, read with
``SIGUSR1``). The guard's code runs only then (and for classes of watched
modules): with none, any difference in the ratios is the machine's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(os.path.dirname(HERE), "examples", "golden_path")

SERVER = """\
import asyncio, json, signal, sys
sys.path.insert(0, {example!r})


class ImportProbe:
    # First in sys.meta_path, then second behind the guard's finder: in both servers
    # it sees every import that misses sys.modules (and that the guard does not take:
    # those add a module to sys.modules, counted too).
    calls = 0

    def find_spec(self, name, path=None, target=None):
        ImportProbe.calls += 1
        return None


def tell(signum, frame):  # SIGUSR1: how many imports have reached the finders, and modules
    print(json.dumps({{"finder_calls": ImportProbe.calls + len(sys.modules)}}), flush=True)


signal.signal(signal.SIGUSR1, tell)
sys.meta_path.insert(0, ImportProbe())
if {guarded!r}:
    import ssot_guard
    ssot_guard.install({config!r})
from chat_backend.server import serve_until_stopped
asyncio.run(serve_until_stopped("127.0.0.1", 0, step_delay=0.0))
"""


def finder_calls(process: subprocess.Popen[str]) -> int:
    """Imports that reached the server's finders so far, plus its modules (``ImportProbe``)."""
    import signal

    assert process.stdout is not None
    process.send_signal(signal.SIGUSR1)
    return int(json.loads(process.stdout.readline())["finder_calls"])


async def _user(url: str, user: int, stop_at: float, latencies: list[float]) -> int:
    from websockets.asyncio.client import connect

    events = 0
    async with connect(f"{url}?user=load{user}", max_queue=None) as ws:
        message = json.dumps({"type": "message", "content": "Optimize my AWS costs"})
        while time.perf_counter() < stop_at:
            sent = time.perf_counter()
            await ws.send(message)
            for _ in range(5):
                reply = json.loads(await ws.recv())
                if reply.get("type") == "error":
                    raise RuntimeError(reply)
                events += 1
            latencies.append(time.perf_counter() - sent)
    return events


async def _load(url: str, users: int, seconds: float, warmup: float) -> dict[str, object]:
    import asyncio

    warm: list[float] = []
    await asyncio.gather(*(_user(url, u, time.perf_counter() + warmup, warm) for u in range(users)))
    latencies: list[float] = []
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(_user(url, u, started + seconds, latencies) for u in range(users))
    )
    elapsed = time.perf_counter() - started
    return {"events_per_s": sum(counts) / elapsed, "latencies": latencies}


def client(url: str, users: int, seconds: float, warmup: float) -> None:
    """In its own process: load *url* with *users* for *seconds*, print the result as JSON."""
    import asyncio

    print(json.dumps(asyncio.run(_load(url, users, seconds, warmup))))


def start_server(guarded: bool) -> tuple[subprocess.Popen[str], str]:
    code = SERVER.format(
        example=EXAMPLE, guarded=guarded, config=os.path.join(EXAMPLE, "pyproject.toml")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    announced = json.loads(process.stdout.readline())
    expected = "strict" if guarded else None
    if announced["guard_mode"] != expected:
        raise RuntimeError(f"server started with guard {announced['guard_mode']!r}")
    return process, str(announced["listening"])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: list[str]) -> int:
    import argparse

    sys.path.insert(0, HERE)
    from _common import machine, median, spread, table, verdict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--users", type=int, default=50, help="concurrent WebSocket users")
    parser.add_argument(
        "--control",
        action="store_true",
        help="an A/A run: the second server unguarded too, to see the ratios noise alone gives",
    )
    args = parser.parse_args(argv)
    rounds, seconds = (3, 3.0) if args.quick else (12, 4.0)

    second = "unguarded again (control)" if args.control else "guarded (strict)"
    servers = {
        "unguarded": start_server(guarded=False),
        second: start_server(guarded=not args.control),
    }
    rates: dict[str, list[float]] = {name: [] for name in servers}
    latencies: dict[str, list[float]] = {name: [] for name in servers}
    cpu_per_event: dict[str, list[float]] = {name: [] for name in servers}
    calls: dict[str, int] = {}  # at start-up and warm-up: shows that the probe counts
    during: dict[str, int] = {}  # during the measured rounds
    try:
        # One unmeasured round each: first connections import what they import lazily.
        for _, url in servers.values():
            subprocess.run(
                [sys.executable, __file__, "--client", url, str(args.users), "1", "0.2"],
                capture_output=True, check=True,
            )  # fmt: skip
        calls = {name: finder_calls(process) for name, (process, _) in servers.items()}
        for index in range(rounds):
            order = list(servers) if index % 2 == 0 else list(reversed(servers))
            for name in order:
                cpu_before = cpu_seconds(servers[name][0].pid)
                out = subprocess.run(
                    [sys.executable, __file__, "--client", servers[name][1],
                     str(args.users), str(seconds), "0.5"],
                    capture_output=True, text=True, check=True,
                ).stdout  # fmt: skip
                result = json.loads(out)
                used = cpu_seconds(servers[name][0].pid) - cpu_before
                events = result["events_per_s"] * seconds
                cpu_per_event[name].append(used / events if events else 0.0)
                rates[name].append(result["events_per_s"])
                latencies[name].extend(result["latencies"])
                print(f"round {index + 1}/{rounds} {name}: {result['events_per_s']:,.0f} events/s",
                      file=sys.stderr)  # fmt: skip
        during = {
            name: finder_calls(process) - calls[name] for name, (process, _) in servers.items()
        }
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)

    guarded = second
    # Each round's guarded figure against the unguarded one measured right next to it:
    # drift on a shared machine cancels within a pair.
    paired = median([g / u for g, u in zip(rates[guarded], rates["unguarded"], strict=True)])
    base_rate = median(rates["unguarded"])
    base_p99 = percentile(latencies["unguarded"], 0.99)
    rows = []
    for name in servers:
        rate, p99 = median(rates[name]), percentile(latencies[name], 0.99)
        rows.append(
            (
                name,
                f"{rate:,.0f}",
                f"{rate / base_rate:.3f}",
                f"±{spread(rates[name]):.1%}",
                f"{percentile(latencies[name], 0.5) * 1e3:.2f}",
                f"{p99 * 1e3:.2f}",
                f"{p99 / base_p99:.3f}",
                f"{median(cpu_per_event[name]) * 1e6:.1f}",
            )
        )
    title = "Golden path under load" + (" (A/A control)" if args.control else "")
    print(f"# {title}\n\n{machine()}; {args.users} users, {rounds} rounds of "
          f"{seconds:.0f} s per variant, interleaved\n")  # fmt: skip
    print(
        table(
            rows,
            (
                "server",
                "events/s",
                "ratio",
                "noise",
                "p50 ms",
                "p99 ms",
                "p99 ratio",
                "server CPU µs/event",
            ),
        )
    )
    p99_ratio = percentile(latencies[guarded], 0.99) / base_p99
    cpu_ratio = median(cpu_per_event[guarded]) / median(cpu_per_event["unguarded"])
    print(f"\nServer CPU per event, guarded / unguarded: {cpu_ratio:.3f}")
    print(
        "Imports that reached the finders, and modules loaded, during the measured rounds: "
        + ", ".join(f"{name} {during[name]} (after {calls[name]} before)" for name in calls)
        + " (with none, the guard's code never runs while serving: what the ratios"
        " show beyond 1.000 is the machine's noise)"
    )
    print(f"Goal, events/s >= 0.99x (median of paired rounds): {paired:.3f}: ", end="")
    print(verdict(paired >= 0.99))
    print(f"Goal, p99 latency <= 1.02x: {p99_ratio:.3f}: {verdict(p99_ratio <= 1.02)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--client":
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit(main(sys.argv[1:]))
