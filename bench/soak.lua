-- wrk script for bench/soak.sh: `wrk ... -s bench/soak.lua http://web/ -- USERS_FILE`.
-- USERS_FILE has a line per signed-in user, tab-separated: Cookie header, antiforgery form token of
-- /notes/create/, a pad id, a note id. Each request is a random user's: 90% reads (/, /?order=name,
-- /pads/<id>/, /notes/<id>/; OK when they answer 200) and 10% writes (POST /notes/create/; OK only when it
-- answers 302 to /notes/<id>/, the new note). wrk does not say which request an answer belongs to, but the
-- answers tell: a write answers a redirect to the new note, or the note form again (its <textarea>) when it was
-- refused; a read answers its page. Every other answer counts as not OK. The figures are printed on one
-- machine-readable line that starts with "SOAK".
local threads = {}
local users = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("reads_ok", 0)
  thread:set("writes_ok", 0)
  thread:set("writes_refused", 0)
  thread:set("writes_sent", 0)
  thread:set("not_ok", 0)
end

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local file = assert(io.open(args[1], "r"), "soak.lua: cannot read the users file " .. tostring(args[1]))
  for line in file:lines() do
    local cookie, token, pad, note = line:match("^([^\t]+)\t([^\t]+)\t(%d+)\t(%d+)$")
    assert(cookie, "soak.lua: a line of the users file is not cookie<TAB>token<TAB>pad<TAB>note: " .. line)
    table.insert(users, { cookie = cookie, token = urlencode(token), pad = pad, note = note })
  end
  file:close()
  assert(#users > 0, "soak.lua: the users file is empty")
  math.randomseed(os.time() * 1000 + id)
end

local text = urlencode(string.rep("Written during the soak, to see the site keep up. ", 4))

function request()
  -- wrk also calls this once outside the threads, to check the request; no users are loaded there.
  if #users == 0 then
    return wrk.format("GET", "/")
  end
  local user = users[math.random(#users)]
  local headers = { Cookie = user.cookie }
  local pick = math.random(100)
  if pick <= 10 then
    writes_sent = writes_sent + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = "Name=Soak+note+" .. math.random(1000000) .. "&Text=" .. text .. "&PadId=" .. user.pad ..
      "&__RequestVerificationToken=" .. user.token
    return wrk.format("POST", "/notes/create/", headers, body)
  elseif pick <= 35 then
    return wrk.format("GET", "/", headers)
  elseif pick <= 45 then
    return wrk.format("GET", "/?order=name", headers)
  elseif pick <= 70 then
    return wrk.format("GET", "/pads/" .. user.pad .. "/", headers)
  else
    return wrk.format("GET", "/notes/" .. user.note .. "/", headers)
  end
end

function response(status, headers, body)
  if status == 302 then
    local location = headers["Location"] or headers["location"] or ""
    if location:match("^/notes/%d+/$") then
      writes_ok = writes_ok + 1
    else
      not_ok = not_ok + 1
    end
  elseif status == 200 then
    if body and body:find("<textarea", 1, true) then
      writes_refused = writes_refused + 1   -- the note form again: the write was not saved
      not_ok = not_ok + 1
    else
      reads_ok = reads_ok + 1
    end
  else
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local total = { reads_ok = 0, writes_ok = 0, writes_refused = 0, writes_sent = 0, not_ok = 0 }
  for _, thread in ipairs(threads) do
    for key in pairs(total) do
      total[key] = total[key] + thread:get(key)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d p50_us=%d p99_us=%d reads_ok=%d writes_ok=%d writes_refused=%d writes_sent=%d " ..
    "not_ok=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), total.reads_ok,
    total.writes_ok, total.writes_refused, total.writes_sent, total.not_ok,
    errors.connect + errors.read + errors.write + errors.timeout))
end
