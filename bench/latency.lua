-- wrk script for the benchmark harness (bench/__main__.py).
-- Sends the session cookie (BENCH_COOKIE) and a fixed User-Agent (BENCH_USER_AGENT): the
-- login was done with the same agent, so Flask-Login's session protection keeps the session.
-- When the run is done it prints one parseable line with exact percentiles (microseconds):
-- wrk's own --latency table has 50/75/90/99 but no 95th percentile.
local cookie = os.getenv("BENCH_COOKIE")
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT") or "participation-bench"
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

-- Varied URLs (BENCH_PATHS, separated by spaces): each request takes one at random, so the
-- page cache cannot answer from one stored copy.
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
  table.insert(paths, path)
end
if #paths > 0 then
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(90.0),
    latency:percentile(95.0), latency:percentile(99.0), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
