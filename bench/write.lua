-- wrk script for bench/web.sh's writes: `wrk ... -H "Cookie: SIGNED_IN_COOKIES" -s bench/write.lua
-- http://web/notes/create/ -- FORM_TOKEN PAD_ID` posts the site's note form as a browser does (Name, Text, PadId,
-- __RequestVerificationToken, url-encoded; the cookies carry the session and the antiforgery cookie token), each
-- request a new note with a name of its own. The site answers a stored note with a 302 to /notes/<id>/ (counted as
-- created); anything else counts as not OK (the form again, with its <textarea>, when it refused the note).
-- The figures go on one machine-readable line that starts with "BENCH", as bench/wrk-report.lua's do, plus
-- ok_2xx3xx (answers 200-399) and created (redirects to a new note).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("not_ok", 0)
  thread:set("ok_2xx3xx", 0)
  thread:set("created", 0)
end

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local fixed = nil
local sent = 0

function init(args)
  assert(args[1] and args[2], "write.lua: wrk ... -- FORM_TOKEN PAD_ID")
  assert(args[2]:match("^%d+$"), "write.lua: PAD_ID is a number: " .. args[2])
  fixed = "&Text=" .. urlencode(string.rep("Written by the benchmark, to see how fast the site stores a note. ", 3)) ..
    "&PadId=" .. args[2] .. "&__RequestVerificationToken=" .. urlencode(args[1])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  -- wrk also calls this once outside the threads, to check the request; init has not run there.
  if fixed == nil then
    return wrk.format("GET", nil)
  end
  sent = sent + 1
  return wrk.format(nil, nil, nil, "Name=Bench+note+" .. id .. "." .. sent .. fixed)
end

function response(status, headers, body)
  if status >= 200 and status < 400 then
    ok_2xx3xx = ok_2xx3xx + 1
  end
  local location = headers["Location"] or headers["location"] or ""
  if status == 302 and location:match("^/notes/%d+/$") then
    created = created + 1
  else
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local total = { not_ok = 0, ok_2xx3xx = 0, created = 0 }
  for _, thread in ipairs(threads) do
    for key in pairs(total) do
      total[key] = total[key] + thread:get(key)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d not_ok=%d socket_errors=%d ok_2xx3xx=%d created=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), total.not_ok,
    errors.connect + errors.read + errors.write + errors.timeout, total.ok_2xx3xx, total.created))
end
