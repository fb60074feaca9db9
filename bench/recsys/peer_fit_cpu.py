"""Runs ../shared/bench/peer_recsys.py unchanged, but records the CPU time (all threads, time.process_time) of each
model's fit(), printed as one JSON line on stderr: {"fit_cpu_s": {model: seconds}}. Same arguments as the peer."""
import importlib.util
import json
import os
import sys
import time

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/bench/peer_recsys.py")
spec = importlib.util.spec_from_file_location("peer_recsys", PEER)
peer = importlib.util.module_from_spec(spec)
sys.argv[0] = PEER
spec.loader.exec_module(peer)
cpu = {}
for cls in [c for c in vars(peer).values() if isinstance(c, type) and issubclass(c, peer.Model) and "fit" in vars(c)]:
    def timed(self, tr, _fit=cls.fit):
        t = time.process_time()
        try:
            return _fit(self, tr)
        finally:
            cpu[self.name] = cpu.get(self.name, 0.0) + time.process_time() - t
    cls.fit = timed
try:
    peer.main()
finally:
    print(json.dumps({"fit_cpu_s": cpu}), file=sys.stderr, flush=True)
