-- wrk script for bench/web.sh: every answer that is not a 200 counts as an error (wrk itself only
-- counts statuses from 400 up, so a redirect to /signin/ would pass unnoticed), and the figures are
-- printed on one machine-readable line that starts with "BENCH".
local threads = {}

function setup(thread)
  thread:set("not_ok", 0)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do
    not_ok_total = not_ok_total + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d not_ok=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), not_ok_total,
    errors.connect + errors.read + errors.write + errors.timeout))
end
