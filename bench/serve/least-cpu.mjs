// The least CPU time per call (user + system, µs) of each case over `rounds` rounds of `calls` calls, the cases taking
// turns round by round so drifting load on a shared machine hits all alike; `between` runs after each case's round
// (e.g. flushing a log) outside the measured time.
export async function leastCpu(cases, { rounds, calls, between = async () => {} }) {
  const best = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of Object.entries(cases)) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) f();
      const c = process.cpuUsage(c0);
      best[name] = Math.min(best[name] ?? Infinity, (c.user + c.system) / calls);
      await between();
    }
  }
  return best;
}
