-- wrk script for bench/submissions_load.py (one-page layout): each request POSTs one whole
-- response taken from the bodies file (one url-encoded body per line, each answer set unique),
-- with the CSRF cookie obtained by the harness and an X-Forwarded-For address of its own. Counts
-- statuses and collects the receipt ids read in the acknowledgements; done() prints one JSON line
-- for the harness.
--
-- Environment: ATOUT_WRK_BODIES (file), ATOUT_WRK_COOKIE (Cookie header), ATOUT_WRK_PATH.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  local count = tonumber(os.getenv("ATOUT_WRK_THREADS"))
  threads_count = count
  local n = 0
  for line in io.lines(os.getenv("ATOUT_WRK_BODIES")) do
    if n % count == id then table.insert(bodies, line) end
    n = n + 1
  end
  position = 0
  receipts = {}
  statuses = {}
  acknowledged = 0
  wrapped = 0
  wrk.method = "POST"
  wrk.path = os.getenv("ATOUT_WRK_PATH")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("ATOUT_WRK_COOKIE")
end

function request()
  position = position + 1
  if position > #bodies then
    position = 1
    wrapped = wrapped + 1
  end
  -- One client address per body (gunicorn trusts one proxy): each respondent answers from home.
  local n = id + threads_count * (position - 1)
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 62500) % 250,
                                                 math.floor(n / 250) % 250, n % 250 + 1)
  return wrk.format(nil, nil, nil, bodies[position])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    local receipt = string.match(body, 'id="receipt%-id">([%u%d%-]+)<')
    if receipt then
      acknowledged = acknowledged + 1
      table.insert(receipts, receipt)
    end
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    local rs = thread:get("receipts")
    local st = thread:get("statuses")
    local codes = {}
    for code, n in pairs(st) do table.insert(codes, string.format('"%d": %d', code, n)) end
    table.insert(parts, string.format('{"receipts": "%s", "statuses": {%s}, "wrapped": %d}',
      table.concat(rs, " "), table.concat(codes, ", "), thread:get("wrapped")))
  end
  local pct = {}
  for _, p in ipairs({50, 90, 95, 99, 99.9}) do
    table.insert(pct, string.format('"%s": %.3f', tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format('WRK-RESULT {"threads": [%s], "requests": %d, "duration_s": %.3f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"latency_ms": {%s}, "latency_mean_ms": %.3f, "latency_max_ms": %.3f}\n',
    table.concat(parts, ", "), summary.requests, summary.duration / 1e6,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    table.concat(pct, ", "), latency.mean / 1000, latency.max / 1000))
end
