"""The table `make bench` prints (the benchmark itself runs outside the test suite, on PostgreSQL)."""

from tests.benchmarks.run import report


def page(name: str, p95: float) -> dict:
    return {
        "name": name,
        "url": "/",
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "max_ms": p95 + 1,
        "queries": 8,
        "seq_scan_orders": False,
        "full_count": name == "API order list",
    }


RESULTS = {
    "orders": 1_000_011,
    "machine": {
        "cores": 2,
        "cpu": "AMD EPYC",
        "memory_gib": 24,
        "postgresql": "15.20",
        "python": "3.11.7",
        "django": "5.2.19",
    },
    "pages": [page("agent order list", 67.8), page("admin order list", 120.0), page("API order list", 101.0)],
    "throughput": {
        "api": {
            "orders": 575,
            "requests": 559,
            "non_2xx": 0,
            "seconds": 20.0,
            "orders_per_second": 27.9,
            "latency_ms": {"p50": 338.6, "p95": 576.4},
            "cpu_ms_per_order": {"postgres": 13.1, "app": 54.1},
            "floor": {
                "requests_per_second": 390.4,
                "latency_ms": {"p50": 19.8, "p95": 41.0},
                "cpu_ms_per_request": {"postgres": 0.6, "app": 4.9},
            },
            "workers": 2,
            "threads": 4,
            "connections": 8,
        },
        "pgbench": {
            "transactions_per_second": 1070.2,
            "latency_ms_average": 7.5,
            "cpu_ms_per_transaction": {"postgres": 1.1, "app": 0.0},
        },
        "statements_per_order": [{"items": 3, "statements": 23}, {"items": 9, "statements": 23}],
        "ratio": 0.026,
        "floor_ratio": 0.071,
    },
}


def test_the_table_names_the_floor_pgbench_and_p95_and_judges_each_page_by_its_target():
    lines = report(RESULTS).splitlines()
    text = "\n".join(lines)

    assert "pgbench" in text and "p95" in text
    assert "orders / floor: 0.071 (target 0.5); API / pgbench: 0.026" in text
    assert any(line.startswith("floor (GET one offering)") and "390.4" in line for line in lines)
    assert "3 items: 23, 9 items: 23" in text
    verdicts = {line.split()[0] + " " + line.split()[1]: line.split()[-1] for line in lines if "order list" in line}
    assert verdicts == {"agent order": "ok", "admin order": "ok", "API order": "MISSED"}  # 150 ms for the admin
    assert any("API order list" in line and "YES" in line for line in lines)  # its full count is flagged


def test_the_table_shows_the_agents_capture_and_judges_the_qualification_answers_by_50_ms():
    results = {
        **RESULTS,
        "capture": {
            "flows": 20,
            "requests_per_flow": 11,
            "server_cpu_ms_per_flow": {"median": 92.4, "max": 120.0},
            "wall_ms_per_flow": {"p50": 140.2, "p95": 180.9, "max": 190.0},
            "queries_per_flow": {"min": 150, "max": 152},
        },
        "qualification": [
            {
                "name": "qualification: products step",
                "p50": 30.0,
                "p95": 41.0,
                "max": 45.0,
                "target_ms": 50,
            },
            {
                "name": "qualification: TMF679 check",
                "p50": 40.0,
                "p95": 55.0,
                "max": 60.0,
                "target_ms": 50,
            },
        ],
    }

    lines = report(results).splitlines()

    verdicts = {line[:34].strip(): line.split()[-1] for line in lines if line.startswith("qualification")}
    assert verdicts == {
        "qualification: products step": "ok",
        "qualification: TMF679 check": "MISSED",
    }
    assert any(
        line.startswith("Agent's capture of a standard order (11 requests")
        and "server CPU 92 ms a flow" in line
        and "152 queries" in line
        for line in lines
    )
