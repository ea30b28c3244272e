"""Figures for `coctop logs` (README, "Performance"): the official SDK beside coctop.

Usage: python3 logs_pages.py SIM_URL PROXY_URL COCTOP RUNS
A counting proxy sits at PROXY_URL in front of the simulator at SIM_URL. The SDK starts a
run of a BATCH job on 200 hosts, waits until it ends, then coctop's `logs` (max_rps 10)
and an SDK script reading the same pages (paced at 10 requests a second, and unpaced)
each print every host's output RUNS times: wall time (median, p90) and requests each.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcoc.v1 import (
    CocClient,
    ExecuteDocumentRequest,
    ExecuteDocumentRequestBody,
    ExecuteDocumentRequestBodyParameters,
    ExecuteDocumentRequestBodyTargets,
    GetExecutionRequest,
    ListExecutionInstancesRequest,
    ListExecutionsRequest,
    ListExecutionStepsRequest,
)

HOSTS = 200
PAGE = 100


def client(url):
    credentials = GlobalCredentials("FIGURES", "figures-secret", domain_id="0123456789abcdef0123456789abcdef")
    return CocClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()


class CountingProxy:
    """Forwards TCP to the simulator and counts the HTTP requests that pass."""

    def __init__(self, listen_port, target):
        self.count = 0
        self.lock = threading.Lock()
        self.target = target
        self.server = socket.create_server(("127.0.0.1", listen_port))
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            downstream, _ = self.server.accept()
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self.pipe, args=(downstream, upstream, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, downstream, False), daemon=True).start()

    def pipe(self, source, sink, requests):
        try:
            while chunk := source.recv(65536):
                if requests:
                    with self.lock:
                        self.count += chunk.count(b" HTTP/1.1\r\n")
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def take(self):
        with self.lock:
            count, self.count = self.count, 0
        return count


def start_200_host_run(coc):
    tickets = coc.list_executions(ListExecutionsRequest(limit=100)).to_dict()["data"]
    sample = next(t for t in tickets if t["type"] == "BATCH" and t["status"] == "Succeed")
    hosts = [{"resource_id": f"i-{n:05d}", "name": f"web-{n:03d}"} for n in range(HOSTS)]
    body = ExecuteDocumentRequestBody(
        version=sample["document_version"],
        parameters=[ExecuteDocumentRequestBodyParameters(key=p["key"], value=p["value"]) for p in sample["parameters"]],
        target_parameter_name=sample.get("target_parameter_name") or "hosts",
        targets=[ExecuteDocumentRequestBodyTargets(key="InstanceValues", values=hosts)],
    )
    new_id = coc.execute_document(ExecuteDocumentRequest(document_id=sample["document_id"], body=body)).data
    while coc.get_execution(GetExecutionRequest(execution_id=new_id)).data["status"] not in ("Succeed", "Failed", "Timeout", "Canceled"):
        time.sleep(0.5)
    return new_id


def sdk_logs(coc, execution_id, rps):
    """The ticket, its steps, and each step's hosts, page by page; every output printed."""
    spacing = 1.0 / rps if rps else 0.0
    last = [0.0]

    def paced(call):
        wait = last[0] + spacing - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        last[0] = time.monotonic()
        return call()

    out = []
    paced(lambda: coc.get_execution(GetExecutionRequest(execution_id=execution_id)))
    steps, offset = [], 0
    while True:
        page = paced(lambda: coc.list_execution_steps(ListExecutionStepsRequest(execution_id=execution_id, limit=PAGE, offset=offset))).to_dict()["data"]
        steps += page
        offset += len(page)
        if len(page) < PAGE:
            break
    for step in steps:
        offset = 0
        while True:
            page = paced(lambda: coc.list_execution_instances(ListExecutionInstancesRequest(execution_step_id=step["execution_step_id"], limit=PAGE, offset=offset))).to_dict()["data"]
            out += [h.get("message") or "" for h in page]
            offset += len(page)
            if len(page) < PAGE:
                break
    return out


def figures(name, samples, requests):
    samples.sort()
    p90 = samples[min(len(samples) - 1, int(round(0.9 * (len(samples) - 1))))]
    median = statistics.median(samples)
    print(f"{name:<32} median {median:6.2f} s  p90 {p90:6.2f} s  requests {requests}")
    return median


def main(sim_url, proxy_port, coctop, runs):
    runs = int(runs)
    host, port = sim_url.removeprefix("http://").split(":")
    proxy = CountingProxy(int(proxy_port), (host, int(port)))
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    coc = client(proxy_url)
    execution_id = start_200_host_run(coc)
    proxy.take()
    print(f"ticket {execution_id}: {HOSTS} hosts; {runs} runs each")

    home = tempfile.mkdtemp()
    config = os.path.join(home, "coctop.toml")
    with open(config, "w") as f:
        f.write('[poll]\nmax_rps = 10\n')
    env = {"HOME": home, "PATH": os.environ["PATH"], "XDG_STATE_HOME": home, "XDG_CACHE_HOME": home}
    coctop_samples, coctop_requests, lines = [], 0, 0
    for _ in range(runs):
        started = time.monotonic()
        done = subprocess.run([coctop, "--config", config, "--endpoint", proxy_url, "logs", execution_id],
                              env=env, capture_output=True)
        coctop_samples.append(time.monotonic() - started)
        coctop_requests = proxy.take()
        lines = done.stdout.count(b"\n")
    coctop_median = figures("coctop logs (max_rps 10)", coctop_samples, coctop_requests)

    for name, rps in (("SDK script, paced at 10 rps", 10), ("SDK script, unpaced", 0)):
        samples, requests, outputs = [], 0, 0
        for _ in range(runs):
            started = time.monotonic()
            outputs = len(sdk_logs(coc, execution_id, rps))
            samples.append(time.monotonic() - started)
            requests = proxy.take()
        median = figures(name, samples, requests)
        print(f"{'':<32} coctop / this: {coctop_median / median:.2f}×  ({outputs} host outputs; coctop printed {lines} lines)")


if __name__ == "__main__":
    main(*sys.argv[1:5])
